using System.Numerics;

namespace SharpEdge.Nn.Layers;

/// <summary>
/// PyTorch's nn.AvgPool2d(kernel, stride) without padding: y[c, i, j] = mean of the k×k window at (i·s, j·s).
/// Linear in x with no parameters, so R{y} is the same map applied to R{x} and both backward passes are its
/// adjoint: every input of a window receives dy/k².
/// </summary>
public sealed class AvgPool2d<T> : LinearMap<T> where T : unmanaged, IFloatingPointIeee754<T>
{
    public AvgPool2d(int[] inputShape, int kernel, int stride = 0)
        : base(inputShape, PoolShape.Output("AvgPool2d", inputShape, kernel, stride == 0 ? kernel : stride))
    {
        Kernel = kernel;
        Stride = stride == 0 ? kernel : stride;
    }

    public int Kernel { get; }
    public int Stride { get; }

    public override string Describe() => $"AvgPool2d({Kernel}x{Kernel}{(Stride != Kernel ? $", stride {Stride}" : "")}; {InputShape[1]}x{InputShape[2]}→{OutputShape[1]}x{OutputShape[2]})";

    protected override void Apply(int batch, ReadOnlySpan<T> x, Span<T> y)
    {
        int channels = InputShape[0], h = InputShape[1], w = InputShape[2], ho = OutputShape[1], wo = OutputShape[2];
        var scale = T.One / T.CreateTruncating(Kernel * Kernel);
        for (int n = 0; n < batch; n++)
        {
            var xs = x.Slice(n * InputSize, InputSize);
            var ys = y.Slice(n * OutputSize, OutputSize);
            for (int c = 0; c < channels; c++)
                for (int i = 0; i < ho; i++)
                    for (int j = 0; j < wo; j++)
                    {
                        T sum = T.Zero;
                        for (int a = 0; a < Kernel; a++)
                        {
                            int row = (c * h + i * Stride + a) * w + j * Stride;
                            for (int b = 0; b < Kernel; b++) sum += xs[row + b];
                        }
                        ys[(c * ho + i) * wo + j] = sum * scale;
                    }
        }
    }

    protected override void ApplyAdjoint(int batch, ReadOnlySpan<T> dy, Span<T> dx)
    {
        int channels = InputShape[0], h = InputShape[1], w = InputShape[2], ho = OutputShape[1], wo = OutputShape[2];
        var scale = T.One / T.CreateTruncating(Kernel * Kernel);
        dx[..(batch * InputSize)].Clear();
        for (int n = 0; n < batch; n++)
        {
            var dys = dy.Slice(n * OutputSize, OutputSize);
            var dxs = dx.Slice(n * InputSize, InputSize);
            for (int c = 0; c < channels; c++)
                for (int i = 0; i < ho; i++)
                    for (int j = 0; j < wo; j++)
                    {
                        var g = dys[(c * ho + i) * wo + j] * scale;
                        for (int a = 0; a < Kernel; a++)
                        {
                            int row = (c * h + i * Stride + a) * w + j * Stride;
                            for (int b = 0; b < Kernel; b++) dxs[row + b] += g;
                        }
                    }
        }
    }
}
