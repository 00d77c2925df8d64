using System.Numerics;

namespace SharpEdge.Nn.Layers;

/// <summary>
/// The buffers of one layer during one pass over a batch (row-major, one row per sample). Parameter spans are
/// this layer's slices of the flat vectors. An empty <see cref="DX"/> or <see cref="RDX"/> means "not needed"
/// (first layer); an empty <see cref="RX"/> means the input does not depend on the parameters (R{x} = 0).
/// </summary>
public ref struct LayerPass<T> where T : unmanaged
{
    public int Batch;
    /// <summary>θ: this layer's parameters.</summary>
    public ReadOnlySpan<T> Theta;
    /// <summary>v: this layer's slice of the direction of the R-operator.</summary>
    public ReadOnlySpan<T> V;
    public ReadOnlySpan<T> X;
    /// <summary>The layer output: written by Forward, read by the other passes.</summary>
    public Span<T> Y;
    /// <summary>∂L/∂y, input of the backward pass.</summary>
    public ReadOnlySpan<T> DY;
    public Span<T> DX;
    /// <summary>∂L/∂θ of this layer, overwritten.</summary>
    public Span<T> DTheta;
    public ReadOnlySpan<T> RX;
    public Span<T> RY;
    public ReadOnlySpan<T> RDY;
    public Span<T> RDX;
    /// <summary>R{∂L/∂θ} = (H v) restricted to this layer, overwritten.</summary>
    public Span<T> RDTheta;
    /// <summary>Scratch of at least 3·Batch² values for layers that work with batch Gram matrices.</summary>
    public Span<T> Scratch;
    /// <summary>The batch capacity of the tape: <see cref="State"/> is laid out for this many samples.</summary>
    public int Capacity;
    /// <summary>
    /// This layer's own memory on the tape (<see cref="Layer{T}.StateSize"/> values), kept from one pass to the next
    /// over the same batch: what Forward saves for the other passes beyond x and y (batch statistics, argmax indices,
    /// the inner activations of a composite layer).
    /// </summary>
    public Span<T> State;
    /// <summary>Temporary memory shared by all layers of a tape (<see cref="Layer{T}.WorkspaceSize"/>), undefined between passes.</summary>
    public Span<T> Workspace;
    /// <summary>This layer's slice of the network's buffers (running statistics): not parameters, not differentiated.</summary>
    public Span<T> Buffers;
    /// <summary>Normalise with the running statistics in <see cref="Buffers"/> (evaluation mode) instead of the batch's own.</summary>
    public bool UseRunningStatistics;
    /// <summary>Forward only: fold this batch's statistics into the running statistics (a training step).</summary>
    public bool UpdateRunningStatistics;
    /// <summary>
    /// Backward only: a vector-Jacobian product at a point whose backward pass stays cached for later R passes
    /// (DY and DX are then the tape's R buffers). Layers must not overwrite state that RBackward reads.
    /// </summary>
    public bool SeparateBackward;
}

/// <summary>
/// A layer whose parameter gradient over a batch is a sum of outer products, ∂L/∂W = Σ_i dy_i ⊗ x̃_i
/// (x̃ = [x, 1] with a bias). Along the gradient direction v = g itself, every product the curvature code
/// needs reduces to B×B Gram matrices (x̃_i·x̃_j, dy_i·dy_j), so for small batches gᵀ H g and ‖g‖² cost
/// about one forward pass and never form the [out, in] gradient: the core of batch sharpness.
/// The pass's DY holds the output gradients of the backward pass that defines g.
/// </summary>
public interface IOuterProductGradient<T> where T : unmanaged
{
    /// <summary>‖g‖² of this layer's parameters: Σ_ij (dy_i·dy_j)(x̃_i·x̃_j).</summary>
    double GradientNormSquared(in LayerPass<T> p);

    /// <summary>R{y} along v = g: R{x} Wᵀ + x̃ x̃ᵀ dy (the Gram form of x Vᵀ + v_b).</summary>
    void RForwardAlongGradient(in LayerPass<T> p);

    /// <summary>gᵀ R{dθ} for this layer and R{dx} (as <see cref="Layer{T}.RBackwardDot"/> with v = g).</summary>
    double RBackwardDotAlongGradient(in LayerPass<T> p);
}

/// <summary>
/// A layer with three passes over a batch: forward, backward (vector-Jacobian product to inputs and
/// parameters) and the R-operator (Pearlmutter 1994), i.e. the directional derivative along a parameter
/// direction v of both the forward and the backward pass. One forward, backward, R-forward and R-backward
/// give an exact Hessian-vector product. Layers hold configuration only; all data lives in a
/// <see cref="Tape{T}"/>, so one network can be evaluated on several threads at once.
/// </summary>
public abstract class Layer<T> where T : unmanaged, IFloatingPointIeee754<T>
{
    protected Layer(int[] inputShape, int[] outputShape)
    {
        InputShape = inputShape;
        OutputShape = outputShape;
        InputSize = inputShape.Aggregate(1, (a, b) => checked(a * b));
        OutputSize = outputShape.Aggregate(1, (a, b) => checked(a * b));
    }

    /// <summary>Per-sample input shape, e.g. [784] or [3, 32, 32].</summary>
    public int[] InputShape { get; }
    public int[] OutputShape { get; }
    public int InputSize { get; }
    public int OutputSize { get; }

    /// <summary>Local names and shapes of this layer's parameters in PyTorch registration order ("weight", "bias").</summary>
    public virtual IReadOnlyList<(string Name, int[] Shape)> ParameterShapes => [];

    public int ParameterCount => ParameterShapes.Sum(p => p.Shape.Aggregate(1, (a, b) => checked(a * b)));

    /// <summary>
    /// Local names and shapes of this layer's buffers (PyTorch's <c>register_buffer</c>: BatchNorm's running
    /// statistics), saved with the weights but outside the parameter vector.
    /// </summary>
    public virtual IReadOnlyList<(string Name, int[] Shape)> BufferShapes => [];

    public int BufferCount => BufferShapes.Sum(p => p.Shape.Aggregate(1, (a, b) => checked(a * b)));

    /// <summary>Writes the initial buffer values (PyTorch's: running mean 0, running variance 1, no batches tracked).</summary>
    public virtual void InitializeBuffers(Span<T> buffers) { }

    /// <summary>
    /// Whether a sample's output depends on the other samples of its batch (BatchNorm with batch statistics,
    /// unless <see cref="LayerPass{T}.UseRunningStatistics"/>): then losses, gradients and curvature are those
    /// of the batch as a whole, not sums of per-sample terms.
    /// </summary>
    public virtual bool UsesBatchStatistics => false;

    /// <summary>
    /// Whether R-forward and R-backward may run in place (R{y} written over R{x}, R{dx} over R{dy}): elementwise
    /// and, in R-backward, not reading R{x}, as for piecewise-linear activations. A tape then gives this layer's
    /// output the R buffers of its input.
    /// </summary>
    public virtual bool RPassesInPlace => false;

    /// <summary>
    /// Whether the forward pass may write y over x, with dx over dy in the backward pass: elementwise, and every pass
    /// of the layer needs only y where it would read x (ReLU: x &gt; 0 exactly where y &gt; 0). A tape then gives this
    /// layer's output the buffers of its input, where the layer before does not read its own output after the
    /// forward pass (<see cref="ReadsOutputAfterForward"/>).
    /// </summary>
    public virtual bool ForwardInPlace => false;

    /// <summary>
    /// Whether the layer only reshapes (its output is its input, value for value in the same order): at the front of
    /// a network, before any parameter, a tape then passes the caller's input straight to the next layer instead of
    /// copying it (the flattened image of an MLP, 3,072 values a sample for CIFAR).
    /// </summary>
    public virtual bool IsReshape => false;

    /// <summary>
    /// Whether backward or R passes read this layer's own output y (false lets an in-place layer after it
    /// overwrite y, <see cref="ForwardInPlace"/>). Conservatively true unless a layer says otherwise.
    /// </summary>
    public virtual bool ReadsOutputAfterForward => true;

    /// <summary>Values of <see cref="LayerPass{T}.State"/> this layer needs on a tape of <paramref name="capacity"/> samples.</summary>
    public virtual long StateSize(int capacity) => 0;

    /// <summary>Values of <see cref="LayerPass{T}.Workspace"/> a pass over up to <paramref name="capacity"/> samples needs.</summary>
    public virtual long WorkspaceSize(int capacity) => 0;

    /// <summary>A short description for model summaries, e.g. "Linear(784→512)".</summary>
    public abstract string Describe();

    /// <summary>y = f(x; θ).</summary>
    public abstract void Forward(in LayerPass<T> p);

    /// <summary>dx = (∂y/∂x)ᵀ dy (skipped when DX is empty) and dθ = (∂y/∂θ)ᵀ dy.</summary>
    public abstract void Backward(in LayerPass<T> p);

    /// <summary>R{y} = (∂y/∂x) R{x} + (∂y/∂θ) v.</summary>
    public abstract void RForward(in LayerPass<T> p);

    /// <summary>R{dx} and R{dθ}: the directional derivatives of the backward pass given R{dy}, R{x}, dy.</summary>
    public abstract void RBackward(in LayerPass<T> p);

    /// <summary>
    /// vᵀ R{dθ} for this layer's slice of v, together with R{dx} as in <see cref="RBackward"/>: the layer's share of
    /// the quadratic form vᵀ H v. The default runs <see cref="RBackward"/> into RDTheta (scratch) and takes the dot
    /// product; layers override it when the product is cheaper than R{dθ} itself, and may then overwrite R{y}
    /// (no longer needed by the time the backward sweep reaches this layer).
    /// </summary>
    public virtual double RBackwardDot(in LayerPass<T> p)
    {
        RBackward(p);
        double sum = 0;
        for (int i = 0; i < p.V.Length; i++) sum += double.CreateTruncating(p.V[i] * p.RDTheta[i]);
        return sum;
    }

    /// <summary>
    /// Per-example gradients ∂ℓ_i/∂θ of this layer, one row of <paramref name="stride"/> values per sample
    /// starting at column <paramref name="column"/>; DY holds per-sample (unnormalised) output gradients.
    /// </summary>
    public virtual void PerExampleGradients(in LayerPass<T> p, Span<T> rows, int stride, int column)
    {
        if (ParameterCount > 0) throw new NotSupportedException($"{Describe()} has no per-example gradient");
    }
}
