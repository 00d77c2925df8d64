using System.Numerics;
using SharpEdge.Nn.Layers;

namespace SharpEdge.Nn;

/// <summary>Which statistics BatchNorm layers normalise with (PyTorch's train() and eval()).</summary>
public enum NormalizationMode
{
    /// <summary>Mean and variance of the evaluated batch, differentiated through (training mode).</summary>
    BatchStatistics,
    /// <summary>The running mean and variance held in <see cref="Network{T}.Buffers"/> (evaluation mode): a fixed affine map.</summary>
    RunningStatistics,
}

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
    // Reshapes at the front, before any parameter (an MLP's Flatten): their outputs are views of the caller's input.
    private readonly int leadingReshapes;

    /// <param name="layers">the chain, first to last.</param>
    /// <param name="parameterPrefixes">for each layer with parameters, the PyTorch module name ("layers.0"); null for others.
    /// A parameter with an empty local name takes the prefix alone as its name (a bare <c>nn.Parameter</c> such as Fixup's <c>bias</c>).</param>
    /// <param name="description">what <c>model info</c> prints.</param>
    /// <param name="registrationOrder">the layers in the order PyTorch registers their parameters when that differs from the
    /// order they run in (a module's own parameters come before its children's); null for the order of <paramref name="layers"/>.</param>
    public Network(IReadOnlyList<Layer<T>> layers, IReadOnlyList<string?> parameterPrefixes, string description, IReadOnlyList<int>? registrationOrder = null)
    {
        if (layers.Count == 0) throw new ArgumentException("a network needs at least one layer");
        if (parameterPrefixes.Count != layers.Count) throw new ArgumentException("one parameter prefix per layer");
        this.layers = [.. layers];
        Description = description;
        for (int l = 1; l < layers.Count; l++)
            if (layers[l].InputSize != layers[l - 1].OutputSize)
                throw new ArgumentException($"layer {l} ({layers[l].Describe()}) expects {layers[l].InputSize} inputs but layer {l - 1} gives {layers[l - 1].OutputSize}");
        var order = registrationOrder?.ToArray() ?? Enumerable.Range(0, layers.Count).ToArray();
        if (order.Length != layers.Count || order.Order().Where((l, i) => l != i).Any())
            throw new ArgumentException("the registration order must list every layer once");
        slices = new (int, int)[layers.Count];
        bufferSlices = new (int, int)[layers.Count];
        foreach (var l in order)
        {
            var start = Layout.Count;
            foreach (var (name, shape) in layers[l].ParameterShapes)
                Layout.Add(FullName(parameterPrefixes[l], name, l), shape);
            slices[l] = (start, Layout.Count - start);
            start = BufferLayout.Count;
            foreach (var (name, shape) in layers[l].BufferShapes)
                BufferLayout.Add(FullName(parameterPrefixes[l], name, l), shape);
            bufferSlices[l] = (start, BufferLayout.Count - start);
        }
        Buffers = new T[BufferLayout.Count];
        ResetBuffers();
        firstParameterLayer = Array.FindIndex(slices, s => s.Count > 0) is var f and >= 0 ? f : layers.Count;
        while (leadingReshapes < Math.Min(firstParameterLayer, layers.Count - 1) && layers[leadingReshapes].IsReshape) leadingReshapes++;
        HasOuterProductGradients = Enumerable.Range(0, layers.Count).All(l => slices[l].Count == 0 || layers[l] is IOuterProductGradient<T>);
        HasBatchStatistics = layers.Any(l => l.UsesBatchStatistics);
    }

    private string FullName(string? prefix, string name, int l)
    {
        if (prefix is null) throw new ArgumentException($"layer {l} ({layers[l].Describe()}) has parameters or buffers but no name");
        return name.Length == 0 ? prefix : $"{prefix}.{name}";
    }

    private readonly (int Offset, int Count)[] bufferSlices;

    /// <summary>Names and shapes of the buffers (BatchNorm running statistics) in PyTorch order; empty for most models.</summary>
    public ParameterLayout BufferLayout { get; } = new();

    /// <summary>
    /// The buffer values in the order of <see cref="BufferLayout"/>: model state that is not a parameter (PyTorch's
    /// <c>running_mean</c>, <c>running_var</c>, <c>num_batches_tracked</c>). Updated by forward passes with
    /// <c>updateRunningStatistics</c> (training steps), read in <see cref="NormalizationMode.RunningStatistics"/>.
    /// </summary>
    public T[] Buffers { get; }

    /// <summary>Restores every buffer to its initial value (running mean 0, running variance 1, count 0).</summary>
    public void ResetBuffers()
    {
        for (int l = 0; l < layers.Length; l++)
            layers[l].InitializeBuffers(Buffers.AsSpan(bufferSlices[l].Offset, bufferSlices[l].Count));
    }

    /// <summary>
    /// How BatchNorm layers normalise: with the statistics of the evaluated batch (training mode, the default and the
    /// original's choice for every curvature measurement) or with the running statistics (evaluation mode, <c>--bn frozen</c>).
    /// </summary>
    public NormalizationMode Normalization { get; set; } = NormalizationMode.BatchStatistics;

    /// <summary>Some layer normalises with batch statistics, so samples of a batch are coupled (docs/architecture.md, "BatchNorm").</summary>
    public bool HasBatchStatistics { get; }

    /// <summary>Samples of one forward pass are coupled: the loss of a batch is not a sum of per-sample losses.</summary>
    public bool CouplesSamples => HasBatchStatistics && Normalization == NormalizationMode.BatchStatistics;

    /// <summary>Bytes a tape of <paramref name="capacity"/> samples holds once R passes have run (<see cref="Tape{T}.Bytes"/>).</summary>
    public long TapeBytes(int capacity) => TapeBytesWithoutRBuffers(capacity) + RBufferBytes(capacity);

    /// <summary>Bytes of a tape's forward and backward buffers, states and workspace: all but its R buffers.</summary>
    public long TapeBytesWithoutRBuffers(int capacity)
    {
        long values = layers.Sum(l => l.StateSize(capacity)) + layers.Max(l => l.WorkspaceSize(capacity));
        for (int l = leadingReshapes; l < layers.Length; l++)
            if (!ForwardBuffersInPlace(l)) values += (HasGradients(l + 1) ? 2L : 1L) * capacity * layers[l].OutputSize;
        return values * System.Runtime.CompilerServices.Unsafe.SizeOf<T>();
    }

    /// <summary>Bytes of a tape's R buffers: R{y} and R{dy} of every layer output, except where a layer's R passes run in place.</summary>
    public long RBufferBytes(int capacity)
    {
        long values = 0;
        for (int l = 0; l < layers.Length; l++)
            if (HasGradients(l + 1) && !RBuffersInPlace(l)) values += 2L * capacity * layers[l].OutputSize;
        return values * System.Runtime.CompilerServices.Unsafe.SizeOf<T>();
    }

    /// <summary>
    /// Whether output gradients and R buffers at <paramref name="boundary"/> (the input of layer <paramref name="boundary"/>)
    /// are ever used: not up to the input of the first layer with parameters, whose input gradient, R{x} and R{dx}
    /// no pass computes (for the CIFAR MLPs the flattened input: 4 × 3072 values a sample that were allocated and never written).
    /// </summary>
    internal bool HasGradients(int boundary) => boundary > firstParameterLayer || firstParameterLayer == layers.Length;

    /// <summary>Whether <paramref name="boundary"/> (the output of layer boundary − 1) is the caller's input itself, behind leading reshapes.</summary>
    internal bool IsInputView(int boundary) => boundary <= leadingReshapes;

    /// <summary>Whether layer l's output shares the R buffers of its input (never for the caller's input, that of layer 0).</summary>
    internal bool RBuffersInPlace(int l) => l >= 1 && layers[l].RPassesInPlace && layers[l].OutputSize == layers[l - 1].OutputSize;

    /// <summary>
    /// Whether layer l's output (activations and output gradients) shares the buffers of its input: never for the
    /// caller's input, and only when the layer before never reads its output after the forward pass.
    /// </summary>
    internal bool ForwardBuffersInPlace(int l) => l >= 1 && layers[l].ForwardInPlace && !layers[l - 1].ReadsOutputAfterForward
        && layers[l].OutputSize == layers[l - 1].OutputSize;

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
    /// A tape that uses the R buffers of <paramref name="rBuffersOf"/> (same network and capacity): for tapes whose
    /// R passes never overlap, such as the chunks of one objective, which are processed one after another.
    /// </summary>
    public Tape<T> CreateTape(int capacity, Tape<T> rBuffersOf) => new(this, capacity, rBuffersOf);

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
            Capacity = tape.Capacity,
            State = tape.States[l],
            Workspace = tape.Workspace,
            Buffers = Buffers.AsSpan(bufferSlices[l].Offset, bufferSlices[l].Count),
            UseRunningStatistics = tape.UsedRunningStatistics,
            Theta = theta.Slice(slices[l].Offset, slices[l].Count),
            V = direction.IsEmpty ? default : direction.Slice(slices[l].Offset, slices[l].Count),
            X = IsInputView(l) ? tape.Input.Span : tape.Activations[l],
            Y = tape.Activations[l + 1],
            DY = outputGradients[l + 1],
            DX = inputIsConstant ? [] : outputGradients[l],
            RX = inputIsConstant ? [] : tape.RActivations[l],
            RY = tape.RActivations[l + 1],
            RDY = tape.ROutputGradients[l + 1],
            RDX = inputIsConstant ? [] : tape.ROutputGradients[l],
        };
    }

    /// <summary>
    /// Runs the forward pass on <paramref name="batch"/> rows of <paramref name="input"/>; the output is <see cref="Tape{T}.Output"/>.
    /// With <paramref name="updateRunningStatistics"/> (a training step, in batch-statistics mode) BatchNorm layers fold the
    /// batch's statistics into <see cref="Buffers"/> as PyTorch's training-mode forward does.
    /// </summary>
    public void Forward(Tape<T> tape, ReadOnlySpan<T> theta, ReadOnlyMemory<T> input, int batch, bool updateRunningStatistics = false)
    {
        if (tape.Network != this) throw new ArgumentException("the tape belongs to another network");
        if (batch < 1 || batch > tape.Capacity) throw new ArgumentException($"batch of {batch} does not fit a tape of capacity {tape.Capacity}");
        CheckParameters(theta, nameof(theta));
        if (input.Length < batch * InputSize)
            throw new ArgumentException($"input holds {input.Length} values, {batch}x{InputSize} needed");
        tape.Batch = batch;
        tape.Input = input;
        tape.UsedRunningStatistics = Normalization == NormalizationMode.RunningStatistics;
        bool update = updateRunningStatistics && !tape.UsedRunningStatistics;
        for (int l = leadingReshapes; l < layers.Length; l++)
        {
            var p = Pass(tape, l, theta, default, tape.OutputGradients);
            p.UpdateRunningStatistics = update;
            layers[l].Forward(p);
        }
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
        if (buffers == tape.ROutputGradients) tape.EnsureRBuffers();
        CheckParameters(theta, nameof(theta));
        if (!gradient.IsEmpty) CheckParameters(gradient, nameof(gradient));
        outputGradient[..(tape.Batch * OutputSize)].CopyTo(buffers[^1]);
        for (int l = layers.Length - 1; l >= firstParameterLayer; l--)
        {
            var p = Pass(tape, l, theta, default, buffers);
            p.DTheta = gradient.IsEmpty ? default : gradient.Slice(slices[l].Offset, slices[l].Count);
            p.SeparateBackward = buffers == tape.ROutputGradients;
            layers[l].Backward(p);
        }
    }

    /// <summary>R-forward pass along <paramref name="direction"/>; the result J v is <see cref="Tape{T}.ROutput"/>.</summary>
    public void RForward(Tape<T> tape, ReadOnlySpan<T> theta, ReadOnlySpan<T> direction)
    {
        CheckParameters(direction, nameof(direction));
        tape.EnsureRBuffers();
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
        tape.EnsureRBuffers();
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
        tape.EnsureRBuffers();
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
        tape.EnsureRBuffers();
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
        if (CouplesSamples) throw new NotSupportedException($"{Description}: with batch statistics a sample's gradient depends on the whole batch; per-example gradients need --bn frozen");
        if (rows.Length < (long)tape.Batch * ParameterCount) throw new ArgumentException($"per-example gradients need {tape.Batch}x{ParameterCount} values");
        for (int l = firstParameterLayer; l < layers.Length; l++)
        {
            if (slices[l].Count == 0) continue;
            layers[l].PerExampleGradients(Pass(tape, l, theta, default, tape.OutputGradients), rows, ParameterCount, slices[l].Offset);
        }
    }

    /// <summary>Reads the buffers from <paramref name="values"/> (laid out as <see cref="BufferLayout"/>).</summary>
    public void SetBuffers(ReadOnlySpan<T> values)
    {
        if (values.Length != Buffers.Length) throw new ArgumentException($"{values.Length} buffer values given, the network has {Buffers.Length}");
        values.CopyTo(Buffers);
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
