using System.Numerics;
using System.Numerics.Tensors;

namespace SharpEdge.Nn.Layers;

/// <summary>
/// y[c, ·] = s[c]·x[c, ·]: Fixup's per-channel multiplier (<c>self.scale = nn.Parameter(torch.ones(1, C, 1, 1))</c>).
/// dx = s dy, ds = Σ dy·x; R{y} = s R{x} + v x; R{dx} = s R{dy} + v dy, R{ds} = Σ (R{dy}·x + dy·R{x}).
/// </summary>
public sealed class ChannelScale<T>(int[] shape) : Layer<T>(shape, shape) where T : unmanaged, IFloatingPointIeee754<T>
{
    private int Channels => InputShape[0];
    private int Positions => InputSize / Channels;

    public override IReadOnlyList<(string Name, int[] Shape)> ParameterShapes { get; } = [("", [1, shape[0], 1, 1])];

    public override string Describe() => $"ChannelScale({Channels})";

    /// <summary>out = s ⊙ a (+ out when <paramref name="accumulate"/>), per channel.</summary>
    private void Scale(int batch, ReadOnlySpan<T> a, ReadOnlySpan<T> s, Span<T> output, bool accumulate)
    {
        for (int r = 0; r < batch * Channels; r++)
        {
            var src = a.Slice(r * Positions, Positions);
            var dst = output.Slice(r * Positions, Positions);
            if (accumulate) TensorPrimitives.MultiplyAdd(src, s[r % Channels], dst, dst);
            else TensorPrimitives.Multiply(src, s[r % Channels], dst);
        }
    }

    /// <summary>sums[c] (+)= Σ a[c, ·]·b[c, ·] over the batch.</summary>
    private void Dots(int batch, ReadOnlySpan<T> a, ReadOnlySpan<T> b, Span<T> sums)
    {
        for (int r = 0; r < batch * Channels; r++)
            sums[r % Channels] += TensorPrimitives.Dot(a.Slice(r * Positions, Positions), b.Slice(r * Positions, Positions));
    }

    public override void Forward(in LayerPass<T> p) => Scale(p.Batch, p.X, p.Theta, p.Y, false);

    public override void Backward(in LayerPass<T> p)
    {
        if (!p.DX.IsEmpty) Scale(p.Batch, p.DY, p.Theta, p.DX, false);
        if (!p.DTheta.IsEmpty)
        {
            p.DTheta.Clear();
            Dots(p.Batch, p.DY, p.X, p.DTheta);
        }
    }

    public override void RForward(in LayerPass<T> p)
    {
        Scale(p.Batch, p.X, p.V, p.RY, false);
        if (!p.RX.IsEmpty) Scale(p.Batch, p.RX, p.Theta, p.RY, true);
    }

    public override void RBackward(in LayerPass<T> p)
    {
        if (!p.RDX.IsEmpty)
        {
            Scale(p.Batch, p.RDY, p.Theta, p.RDX, false);
            Scale(p.Batch, p.DY, p.V, p.RDX, true);
        }
        if (!p.RDTheta.IsEmpty)
        {
            p.RDTheta.Clear();
            Dots(p.Batch, p.RDY, p.X, p.RDTheta);
            if (!p.RX.IsEmpty) Dots(p.Batch, p.DY, p.RX, p.RDTheta);
        }
    }
}
