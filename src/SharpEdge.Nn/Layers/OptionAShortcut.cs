using System.Numerics;

namespace SharpEdge.Nn.Layers;

/// <summary>
/// The parameter-free "option A" shortcut of the CIFAR ResNets (He et al. 2016; Idelbayev's
/// <c>F.pad(x[:, :, ::s, ::s], (0, 0, 0, 0, p, p))</c>): every s-th row and column, with p zero channels added on
/// each side. Linear and a selection, so backward scatters dy back to the selected positions and the R passes
/// repeat the forward and backward maps on R{x} and R{dy}.
/// </summary>
public sealed class OptionAShortcut<T> : LinearMap<T> where T : unmanaged, IFloatingPointIeee754<T>
{
    public OptionAShortcut(int[] inputShape, int stride, int padChannels)
        : base(inputShape, OutputShapeOf(inputShape, stride, padChannels))
    {
        Stride = stride;
        PadChannels = padChannels;
    }

    private static int[] OutputShapeOf(int[] inputShape, int stride, int pad)
    {
        if (inputShape.Length != 3 || inputShape.Any(s => s < 1))
            throw new ArgumentException($"the option-A shortcut takes [channels, height, width] samples, got [{string.Join(", ", inputShape)}]");
        if (stride < 1 || pad < 0) throw new ArgumentException($"the option-A shortcut needs stride ≥ 1 and padding ≥ 0, got {stride} and {pad}");
        return [inputShape[0] + 2 * pad, (inputShape[1] + stride - 1) / stride, (inputShape[2] + stride - 1) / stride];
    }

    public int Stride { get; }
    public int PadChannels { get; }

    public override string Describe() => $"OptionAShortcut(::{Stride}, +{PadChannels}+{PadChannels} zero channels)";

    protected override void Apply(int batch, ReadOnlySpan<T> x, Span<T> y)
    {
        int channels = InputShape[0], h = InputShape[1], w = InputShape[2], ho = OutputShape[1], wo = OutputShape[2];
        for (int n = 0; n < batch; n++)
        {
            var xs = x.Slice(n * InputSize, InputSize);
            var ys = y.Slice(n * OutputSize, OutputSize);
            ys[..(PadChannels * ho * wo)].Clear();
            ys[((PadChannels + channels) * ho * wo)..].Clear();
            for (int c = 0; c < channels; c++)
                for (int i = 0; i < ho; i++)
                {
                    var src = xs.Slice((c * h + i * Stride) * w, w);
                    var dst = ys.Slice(((PadChannels + c) * ho + i) * wo, wo);
                    for (int j = 0; j < wo; j++) dst[j] = src[j * Stride];
                }
        }
    }

    protected override void ApplyAdjoint(int batch, ReadOnlySpan<T> dy, Span<T> dx)
    {
        int channels = InputShape[0], h = InputShape[1], w = InputShape[2], ho = OutputShape[1], wo = OutputShape[2];
        dx[..(batch * InputSize)].Clear();
        for (int n = 0; n < batch; n++)
        {
            var dys = dy.Slice(n * OutputSize, OutputSize);
            var dxs = dx.Slice(n * InputSize, InputSize);
            for (int c = 0; c < channels; c++)
                for (int i = 0; i < ho; i++)
                {
                    var src = dys.Slice(((PadChannels + c) * ho + i) * wo, wo);
                    var dst = dxs.Slice((c * h + i * Stride) * w, w);
                    for (int j = 0; j < wo; j++) dst[j * Stride] = src[j];
                }
        }
    }
}
