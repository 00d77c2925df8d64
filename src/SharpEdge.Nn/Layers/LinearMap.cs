using System.Numerics;

namespace SharpEdge.Nn.Layers;

/// <summary>
/// A layer without parameters that is linear in its input (average pooling, the option-A shortcut, Flatten): y = A x.
/// Its four passes follow from the map and its adjoint alone: the backward pass is dx = Aᵀ dy, and since A does not
/// depend on θ the R passes repeat them on R{x} and R{dy} (R{y} = A R{x}, R{dx} = Aᵀ R{dy}).
/// </summary>
public abstract class LinearMap<T>(int[] inputShape, int[] outputShape) : Layer<T>(inputShape, outputShape)
    where T : unmanaged, IFloatingPointIeee754<T>
{
    /// <summary>y = A x for <paramref name="batch"/> samples.</summary>
    protected abstract void Apply(int batch, ReadOnlySpan<T> x, Span<T> y);

    /// <summary>dx = Aᵀ dy for <paramref name="batch"/> samples (all of dx written).</summary>
    protected abstract void ApplyAdjoint(int batch, ReadOnlySpan<T> dy, Span<T> dx);

    public sealed override void Forward(in LayerPass<T> p) => Apply(p.Batch, p.X, p.Y);

    public sealed override void Backward(in LayerPass<T> p)
    {
        if (!p.DX.IsEmpty) ApplyAdjoint(p.Batch, p.DY, p.DX);
    }

    public sealed override void RForward(in LayerPass<T> p)
    {
        if (p.RX.IsEmpty) p.RY[..(p.Batch * OutputSize)].Clear();
        else Apply(p.Batch, p.RX, p.RY);
    }

    public sealed override void RBackward(in LayerPass<T> p)
    {
        if (!p.RDX.IsEmpty) ApplyAdjoint(p.Batch, p.RDY, p.RDX);
    }
}
