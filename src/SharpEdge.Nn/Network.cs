using System.Numerics;
using SharpEdge.Nn.Layers;

namespace SharpEdge.Nn;

/// <summary>
/// A feed-forward chain of layers over one flat parameter vector. The passes run over a
/// <see cref="Tape{T}"/>; the parameter vector θ and the direction v are passed in, so the same network
/// can be evaluated at several points (θ − ηg) without copying.
/// </summary>
public sealed class Network<T> where T : unmanaged, IFloatingPointIeee754<T>
{
    private readonly Layer<T>[] layers;
    private readonly (int Offset, int Count)[] slices;

    /// <summary>
    /// The first layer with parameters. Inputs of layers up to it do not depend on θ, so their input
    /// gradients and R{x} are never needed: the passes skip them (e.g. dx of the first Linear, 8192×3072 on CIFAR).
    /// </summary>
    private readonly int firstParameterLayer;

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
        HasOuterProductGradients = Enumerable.Range(0, layers.Count).All(l => slices[l].Count == 0 || layers[l] is IOuterProductGradient<T>);
    }

    public IReadOnlyList<Layer<T>> Layers => layers;
    public ParameterLayout Layout { get; } = new();
    public int ParameterCount => Layout.Count;
    public int InputSize => layers[0].InputSize;
    public int[] InputShape => layers[0].InputShape;
    public int OutputSize => layers[^1].OutputSize;
    public string Description { get; }

    /// <summary>Every layer with parameters has a sum-of-outer-products gradient (MLPs), so <see cref="RForwardAlongGradient"/> applies.</summary>
    public bool HasOuterProductGradients { get; }

    public Tape<T> CreateTape(int capacity) => new(this, capacity);

    /// <summary>
    /// The buffers of layer <paramref name="l"/> for one pass: everything the tape holds for it, with the input
    /// gradient and R{x} left empty up to the first layer with parameters. Callers fill in the outputs they want.
    /// </summary>
    private LayerPass<T> Pass(Tape<T> tape, int l, ReadOnlySpan<T> theta, ReadOnlySpan<T> direction, T[][] outputGradients)
    {
        bool inputIsConstant = l <= firstParameterLayer;
        return new LayerPass<T>
        {
            Batch = tape.Batch,
            Theta = theta.Slice(slices[l].Offset, slices[l].Count),
            V = direction.IsEmpty ? default : direction.Slice(slices[l].Offset, slices[l].Count),
            X = l == 0 ? tape.Input.Span : tape.Activations[l],
            Y = tape.Activations[l + 1],
            DY = outputGradients[l + 1],
            DX = inputIsConstant ? [] : outputGradients[l],
            RX = inputIsConstant ? [] : tape.RActivations[l],
            RY = tape.RActivations[l + 1],
            RDY = tape.ROutputGradients[l + 1],
            RDX = inputIsConstant ? [] : tape.ROutputGradients[l],
        };
    }

    /// <summary>Runs the forward pass on <paramref name="batch"/> rows of <paramref name="input"/>; the output is <see cref="Tape{T}.Output"/>.</summary>
    public void Forward(Tape<T> tape, ReadOnlySpan<T> theta, ReadOnlyMemory<T> input, int batch)
    {
        if (tape.Network != this) throw new ArgumentException("the tape belongs to another network");
        if (batch < 1 || batch > tape.Capacity) throw new ArgumentException($"batch of {batch} does not fit a tape of capacity {tape.Capacity}");
        CheckParameters(theta, nameof(theta));
        if (input.Length < batch * InputSize)
            throw new ArgumentException($"input holds {input.Length} values, {batch}x{InputSize} needed");
        tape.Batch = batch;
        tape.Input = input;
        for (int l = 0; l < layers.Length; l++)
            layers[l].Forward(Pass(tape, l, theta, default, tape.OutputGradients));
    }

    /// <summary>
    /// Backward pass from dL/dz (<paramref name="outputGradient"/>); writes dL/dθ into <paramref name="gradient"/>,
    /// or only the output gradients of every layer when <paramref name="gradient"/> is empty.
    /// </summary>
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
        if (!gradient.IsEmpty) CheckParameters(gradient, nameof(gradient));
        outputGradient[..(tape.Batch * OutputSize)].CopyTo(buffers[^1]);
        for (int l = layers.Length - 1; l >= firstParameterLayer; l--)
        {
            var p = Pass(tape, l, theta, default, buffers);
            p.DTheta = gradient.IsEmpty ? default : gradient.Slice(slices[l].Offset, slices[l].Count);
            layers[l].Backward(p);
        }
    }

    /// <summary>R-forward pass along <paramref name="direction"/>; the result J v is <see cref="Tape{T}.ROutput"/>.</summary>
    public void RForward(Tape<T> tape, ReadOnlySpan<T> theta, ReadOnlySpan<T> direction)
    {
        CheckParameters(direction, nameof(direction));
        for (int l = firstParameterLayer; l < layers.Length; l++)
            layers[l].RForward(Pass(tape, l, theta, direction, tape.OutputGradients));
    }

    /// <summary>
    /// R-backward pass: given R{dL/dz} (<paramref name="rOutputGradient"/>: the loss Hessian applied to J v), writes
    /// H v into <paramref name="hessianVector"/>. Needs Forward, Backward and RForward first.
    /// </summary>
    public void RBackward(Tape<T> tape, ReadOnlySpan<T> theta, ReadOnlySpan<T> direction, ReadOnlySpan<T> rOutputGradient, Span<T> hessianVector)
    {
        CheckParameters(hessianVector, nameof(hessianVector));
        rOutputGradient[..(tape.Batch * OutputSize)].CopyTo(tape.ROutputGradients[^1]);
        for (int l = layers.Length - 1; l >= firstParameterLayer; l--)
        {
            var p = Pass(tape, l, theta, direction, tape.OutputGradients);
            p.RDTheta = hessianVector.Slice(slices[l].Offset, slices[l].Count);
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
        rOutputGradient[..(tape.Batch * OutputSize)].CopyTo(tape.ROutputGradients[^1]);
        double sum = 0;
        for (int l = layers.Length - 1; l >= firstParameterLayer; l--)
        {
            var p = Pass(tape, l, theta, direction, tape.OutputGradients);
            p.RDTheta = scratch.Slice(slices[l].Offset, slices[l].Count);
            sum += layers[l].RBackwardDot(p);
        }
        return sum;
    }

    /// <summary>
    /// ‖g‖² for the gradient g defined by the last backward pass (which may have skipped writing it), from batch
    /// Gram matrices (<see cref="IOuterProductGradient{T}"/>). Requires <see cref="HasOuterProductGradients"/>.
    /// </summary>
    public double GradientNormSquared(Tape<T> tape, ReadOnlySpan<T> theta)
    {
        RequireOuterProductGradients();
        double sum = 0;
        for (int l = firstParameterLayer; l < layers.Length; l++)
        {
            if (slices[l].Count == 0) continue;
            var p = Pass(tape, l, theta, default, tape.OutputGradients);
            p.Scratch = tape.Scratch;
            sum += ((IOuterProductGradient<T>)layers[l]).GradientNormSquared(p);
        }
        return sum;
    }

    /// <summary>R-forward pass along v = g, the gradient of the last backward pass, without g itself.</summary>
    public void RForwardAlongGradient(Tape<T> tape, ReadOnlySpan<T> theta)
    {
        RequireOuterProductGradients();
        for (int l = firstParameterLayer; l < layers.Length; l++)
        {
            var p = Pass(tape, l, theta, default, tape.OutputGradients);
            p.Scratch = tape.Scratch;
            if (slices[l].Count == 0) layers[l].RForward(p);
            else ((IOuterProductGradient<T>)layers[l]).RForwardAlongGradient(p);
        }
    }

    /// <summary>gᵀ H g after <see cref="RForwardAlongGradient"/>, given R{dL/dz} = H_ℓ J g.</summary>
    public double RBackwardDotAlongGradient(Tape<T> tape, ReadOnlySpan<T> theta, ReadOnlySpan<T> rOutputGradient)
    {
        RequireOuterProductGradients();
        rOutputGradient[..(tape.Batch * OutputSize)].CopyTo(tape.ROutputGradients[^1]);
        double sum = 0;
        for (int l = layers.Length - 1; l >= firstParameterLayer; l--)
        {
            var p = Pass(tape, l, theta, default, tape.OutputGradients);
            p.Scratch = tape.Scratch;
            if (slices[l].Count == 0) layers[l].RBackward(p);
            else sum += ((IOuterProductGradient<T>)layers[l]).RBackwardDotAlongGradient(p);
        }
        return sum;
    }

    /// <summary>
    /// Per-example gradients after a backward pass whose output gradient was per-sample (not divided by the
    /// batch size): row i of <paramref name="rows"/> ([Batch, P]) is ∂ℓ_i/∂θ.
    /// </summary>
    public void PerExampleGradients(Tape<T> tape, ReadOnlySpan<T> theta, Span<T> rows)
    {
        if (rows.Length < (long)tape.Batch * ParameterCount) throw new ArgumentException($"per-example gradients need {tape.Batch}x{ParameterCount} values");
        for (int l = firstParameterLayer; l < layers.Length; l++)
        {
            if (slices[l].Count == 0) continue;
            layers[l].PerExampleGradients(Pass(tape, l, theta, default, tape.OutputGradients), rows, ParameterCount, slices[l].Offset);
        }
    }

    private void RequireOuterProductGradients()
    {
        if (!HasOuterProductGradients)
            throw new NotSupportedException($"{Description}: not every layer's gradient is a sum of outer products; use the explicit gradient");
    }

    private void CheckParameters<TElem>(ReadOnlySpan<TElem> vector, string name)
    {
        if (vector.Length != ParameterCount)
            throw new ArgumentException($"{name} has {vector.Length} values, the network has {ParameterCount} parameters");
    }

    private void CheckParameters<TElem>(Span<TElem> vector, string name) => CheckParameters((ReadOnlySpan<TElem>)vector, name);
}
