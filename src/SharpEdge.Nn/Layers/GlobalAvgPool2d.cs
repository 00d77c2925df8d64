using System.Numerics;
using System.Numerics.Tensors;

namespace SharpEdge.Nn.Layers;

/// <summary>
/// The mean over all positions of each channel, [C, H, W] → [C]: ResNet's <c>avg_pool2d(out, out.size()[3])</c> and
/// WRN's <c>AdaptiveAvgPool2d(1)</c>, each followed by <c>view(N, -1)</c>. Linear: dx = dy/(H·W) at every position.
/// </summary>
public sealed class GlobalAvgPool2d<T> : LinearMap<T> where T : unmanaged, IFloatingPointIeee754<T>
{
    public GlobalAvgPool2d(int[] inputShape) : base(Check(inputShape), [inputShape[0]]) { }

    private static int[] Check(int[] inputShape) => inputShape.Length == 3 && inputShape.All(s => s > 0) ? inputShape
        : throw new ArgumentException($"GlobalAvgPool2d takes [channels, height, width] samples, got [{string.Join(", ", inputShape)}]");

    private int Positions => InputShape[1] * InputShape[2];

    public override string Describe() => $"GlobalAvgPool2d({InputShape[1]}x{InputShape[2]}→1)";

    protected override void Apply(int batch, ReadOnlySpan<T> x, Span<T> y)
    {
        var scale = T.One / T.CreateTruncating(Positions);
        for (int r = 0; r < batch * OutputSize; r++) y[r] = TensorPrimitives.Sum(x.Slice(r * Positions, Positions)) * scale;
    }

    protected override void ApplyAdjoint(int batch, ReadOnlySpan<T> dy, Span<T> dx)
    {
        var scale = T.One / T.CreateTruncating(Positions);
        for (int r = 0; r < batch * OutputSize; r++) dx.Slice(r * Positions, Positions).Fill(dy[r] * scale);
    }
}
