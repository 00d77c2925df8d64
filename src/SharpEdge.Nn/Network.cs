using System.Numerics;
using SharpEdge.Nn.Layers;

namespace SharpEdge.Nn;

/// <summary>
/// A feed-forward chain of layers over one flat parameter vector. The four passes run over a
/// <see cref="Tape{T}"/>; the parameter vector θ and the direction v are passed in, so the same network
/// can be evaluated at several points (θ − ηg) without copying.
/// </summary>
public sealed class Network<T> where T : unmanaged, IFloatingPointIeee754<T>
{
    private readonly Layer<T>[] layers;
    private readonly (int Offset, int Count)[] slices;

    /// <param name="layers">the chain, first to last.</param>
    /// <param name="parameterPrefixes">for each layer with parameters, the PyTorch module name ("layers.0"); null for others.</param>
    public Network(IReadOnlyList<Layer<T>> layers, IReadOnlyList<string?> parameterPrefixes, string description)
    {
        if (layers.Count == 0) throw new ArgumentException("a network needs at least one layer");
        if (parameterPrefixes.Count != layers.Count) throw new ArgumentException("one parameter prefix per layer");
        this.layers = [.. layers];
        Description = description;
        slices = new (int, int)[layers.Count];
        for (int l = 0; l < layers.Count; l++)
        {
            if (l > 0 && layers[l].InputSize != layers[l - 1].OutputSize)
                throw new ArgumentException($"layer {l} ({layers[l].Describe()}) expects {layers[l].InputSize} inputs but layer {l - 1} gives {layers[l - 1].OutputSize}");
            var start = Layout.Count;
            foreach (var (name, shape) in layers[l].ParameterShapes)
            {
                var prefix = parameterPrefixes[l] ?? throw new ArgumentException($"layer {l} ({layers[l].Describe()}) has parameters but no name");
                Layout.Add($"{prefix}.{name}", shape);
            }
            slices[l] = (start, Layout.Count - start);
        }
        firstParameterLayer = Array.FindIndex(slices, s => s.Count > 0) is var f and >= 0 ? f : layers.Count;
    }

    /// <summary>
    /// The first layer with parameters. Inputs of layers up to it do not depend on θ, so their input
    /// gradients and R{x} are never needed: the passes skip them (e.g. dx of the first Linear, 8192×3072 on CIFAR).
    /// </summary>
    private readonly int firstParameterLayer;

    public IReadOnlyList<Layer<T>> Layers => layers;
    public ParameterLayout Layout { get; } = new();
    public int ParameterCount => Layout.Count;
    public int InputSize => layers[0].InputSize;
    public int[] InputShape => layers[0].InputShape;
    public int OutputSize => layers[^1].OutputSize;
    public string Description { get; }

    public Tape<T> CreateTape(int capacity) => new(this, capacity);

    /// <summary>Runs the forward pass on <paramref name="batch"/> rows of <paramref name="input"/>; the output is <see cref="Tape{T}.Output"/>.</summary>
    public void Forward(Tape<T> tape, ReadOnlySpan<T> theta, ReadOnlyMemory<T> input, int batch)
    {
        CheckTape(tape, batch);
        CheckParameters(theta, nameof(theta));
        if (input.Length < batch * InputSize)
            throw new ArgumentException($"input holds {input.Length} values, {batch}x{InputSize} needed");
        tape.Batch = batch;
        tape.Input = input;
        for (int l = 0; l < layers.Length; l++)
        {
            var p = new LayerPass<T>
            {
                Batch = batch,
                Theta = theta.Slice(slices[l].Offset, slices[l].Count),
                X = l == 0 ? input.Span : tape.Activations[l],
                Y = tape.Activations[l + 1],
            };
            layers[l].Forward(p);
        }
    }

    /// <summary>Backward pass from dL/dz (<paramref name="outputGradient"/>); writes dL/dθ into <paramref name="gradient"/>.</summary>
    public void Backward(Tape<T> tape, ReadOnlySpan<T> theta, ReadOnlySpan<T> outputGradient, Span<T> gradient) =>
        BackwardInto(tape, theta, outputGradient, gradient, tape.OutputGradients);

    /// <summary>
    /// A backward pass that keeps the tape's own output gradients intact (it works in the R buffers): used for
    /// vector-Jacobian products and Gauss-Newton products at a point whose backward pass is cached.
    /// </summary>
    public void BackwardSeparately(Tape<T> tape, ReadOnlySpan<T> theta, ReadOnlySpan<T> outputGradient, Span<T> gradient) =>
        BackwardInto(tape, theta, outputGradient, gradient, tape.ROutputGradients);

    private void BackwardInto(Tape<T> tape, ReadOnlySpan<T> theta, ReadOnlySpan<T> outputGradient, Span<T> gradient, T[][] buffers)
    {
        CheckParameters(theta, nameof(theta));
        CheckParameters(gradient, nameof(gradient));
        var batch = tape.Batch;
        outputGradient[..(batch * OutputSize)].CopyTo(buffers[^1]);
        int first = firstParameterLayer;
        for (int l = layers.Length - 1; l >= first; l--)
        {
            var p = new LayerPass<T>
            {
                Batch = batch,
                Theta = theta.Slice(slices[l].Offset, slices[l].Count),
                X = l == 0 ? tape.Input.Span : tape.Activations[l],
                Y = tape.Activations[l + 1],
                DY = buffers[l + 1],
                DX = l == first ? [] : buffers[l],
                DTheta = gradient.Slice(slices[l].Offset, slices[l].Count),
            };
            layers[l].Backward(p);
        }
    }

    /// <summary>R-forward pass along <paramref name="direction"/>; the result J v is <see cref="Tape{T}.ROutput"/>.</summary>
    public void RForward(Tape<T> tape, ReadOnlySpan<T> theta, ReadOnlySpan<T> direction)
    {
        CheckParameters(direction, nameof(direction));
        var batch = tape.Batch;
        int first = firstParameterLayer;
        for (int l = first; l < layers.Length; l++)
        {
            var p = new LayerPass<T>
            {
                Batch = batch,
                Theta = theta.Slice(slices[l].Offset, slices[l].Count),
                V = direction.Slice(slices[l].Offset, slices[l].Count),
                X = l == 0 ? tape.Input.Span : tape.Activations[l],
                Y = tape.Activations[l + 1],
                RX = l == first ? [] : tape.RActivations[l],
                RY = tape.RActivations[l + 1],
            };
            layers[l].RForward(p);
        }
    }

    /// <summary>
    /// R-backward pass: given R{dL/dz} (<paramref name="rOutputGradient"/>, the loss Hessian applied to J v plus
    /// nothing else), writes H v into <paramref name="hessianVector"/>. Needs Forward, Backward and RForward first.
    /// </summary>
    public void RBackward(Tape<T> tape, ReadOnlySpan<T> theta, ReadOnlySpan<T> direction, ReadOnlySpan<T> rOutputGradient, Span<T> hessianVector)
    {
        CheckParameters(hessianVector, nameof(hessianVector));
        var batch = tape.Batch;
        rOutputGradient[..(batch * OutputSize)].CopyTo(tape.ROutputGradients[^1]);
        int first = firstParameterLayer;
        for (int l = layers.Length - 1; l >= first; l--)
        {
            var p = new LayerPass<T>
            {
                Batch = batch,
                Theta = theta.Slice(slices[l].Offset, slices[l].Count),
                V = direction.Slice(slices[l].Offset, slices[l].Count),
                X = l == 0 ? tape.Input.Span : tape.Activations[l],
                Y = tape.Activations[l + 1],
                DY = tape.OutputGradients[l + 1],
                RX = l == first ? [] : tape.RActivations[l],
                RY = tape.RActivations[l + 1],
                RDY = tape.ROutputGradients[l + 1],
                RDX = l == first ? [] : tape.ROutputGradients[l],
                RDTheta = hessianVector.Slice(slices[l].Offset, slices[l].Count),
            };
            layers[l].RBackward(p);
        }
    }

    /// <summary>
    /// vᵀ H v without forming H v: the R-backward sweep with each layer returning its share vᵀ R{dθ}
    /// (<see cref="Layer{T}.RBackwardDot"/>). Needs Forward, Backward and RForward along v first; leaves the R
    /// buffers of the tape undefined. <paramref name="scratch"/> (P values) serves layers without a shortcut.
    /// </summary>
    public double RBackwardDot(Tape<T> tape, ReadOnlySpan<T> theta, ReadOnlySpan<T> direction, ReadOnlySpan<T> rOutputGradient, Span<T> scratch)
    {
        CheckParameters(scratch, nameof(scratch));
        var batch = tape.Batch;
        rOutputGradient[..(batch * OutputSize)].CopyTo(tape.ROutputGradients[^1]);
        int first = firstParameterLayer;
        double sum = 0;
        for (int l = layers.Length - 1; l >= first; l--)
        {
            var p = new LayerPass<T>
            {
                Batch = batch,
                Theta = theta.Slice(slices[l].Offset, slices[l].Count),
                V = direction.Slice(slices[l].Offset, slices[l].Count),
                X = l == 0 ? tape.Input.Span : tape.Activations[l],
                Y = tape.Activations[l + 1],
                DY = tape.OutputGradients[l + 1],
                RX = l == first ? [] : tape.RActivations[l],
                RY = tape.RActivations[l + 1],
                RDY = tape.ROutputGradients[l + 1],
                RDX = l == first ? [] : tape.ROutputGradients[l],
                RDTheta = scratch.Slice(slices[l].Offset, slices[l].Count),
            };
            sum += layers[l].RBackwardDot(p);
        }
        return sum;
    }

    /// <summary>
    /// Per-example gradients after a backward pass whose output gradient was per-sample (not divided by the
    /// batch size): row i of <paramref name="rows"/> ([Batch, P]) is ∂ℓ_i/∂θ.
    /// </summary>
    public void PerExampleGradients(Tape<T> tape, ReadOnlySpan<T> theta, Span<T> rows)
    {
        var batch = tape.Batch;
        if (rows.Length < (long)batch * ParameterCount) throw new ArgumentException($"per-example gradients need {batch}x{ParameterCount} values");
        for (int l = 0; l < layers.Length; l++)
        {
            if (slices[l].Count == 0) continue;
            var p = new LayerPass<T>
            {
                Batch = batch,
                Theta = theta.Slice(slices[l].Offset, slices[l].Count),
                X = l == 0 ? tape.Input.Span : tape.Activations[l],
                Y = tape.Activations[l + 1],
                DY = tape.OutputGradients[l + 1],
            };
            layers[l].PerExampleGradients(p, rows, ParameterCount, slices[l].Offset);
        }
    }

    private void CheckTape(Tape<T> tape, int batch)
    {
        if (tape.Network != this) throw new ArgumentException("the tape belongs to another network");
        if (batch < 1 || batch > tape.Capacity) throw new ArgumentException($"batch of {batch} does not fit a tape of capacity {tape.Capacity}");
    }

    private void CheckParameters<TElem>(ReadOnlySpan<TElem> vector, string name)
    {
        if (vector.Length != ParameterCount)
            throw new ArgumentException($"{name} has {vector.Length} values, the network has {ParameterCount} parameters");
    }

    private void CheckParameters<TElem>(Span<TElem> vector, string name) => CheckParameters((ReadOnlySpan<TElem>)vector, name);
}
