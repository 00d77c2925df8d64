using System.Numerics;

namespace SharpEdge.Nn.Layers;

/// <summary>
/// PyTorch's nn.MaxPool2d(kernel, stride) without padding (floor mode): y[c, i, j] = max of the k×k window at
/// (i·s, j·s). Piecewise linear: y = x[a] with a the window's argmax (the first one in scan order on ties, as
/// PyTorch), so dx[a] += dy, R{y} = R{x}[a], R{dx}[a] += R{dy}; the argmax positions are the layer's tape state.
/// </summary>
public sealed class MaxPool2d<T> : Layer<T> where T : unmanaged, IFloatingPointIeee754<T>
{
    public MaxPool2d(int[] inputShape, int kernel, int stride = 0)
        : base(inputShape, PoolShape.Output("MaxPool2d", inputShape, kernel, stride == 0 ? kernel : stride))
    {
        Kernel = kernel;
        Stride = stride == 0 ? kernel : stride;
        // argmax positions are stored as T: exact integers up to 2^24 in float32
        if (InputSize > 1 << 24) throw new ArgumentException($"MaxPool2d inputs of {InputSize} values per sample are too large");
    }

    public int Kernel { get; }
    public int Stride { get; }

    public override string Describe() => $"MaxPool2d({Kernel}x{Kernel}{(Stride != Kernel ? $", stride {Stride}" : "")}; {InputShape[1]}x{InputShape[2]}→{OutputShape[1]}x{OutputShape[2]})";

    public override long StateSize(int capacity) => (long)capacity * OutputSize;

    public override void Forward(in LayerPass<T> p)
    {
        int channels = InputShape[0], h = InputShape[1], w = InputShape[2], ho = OutputShape[1], wo = OutputShape[2];
        for (int n = 0; n < p.Batch; n++)
        {
            var x = p.X.Slice(n * InputSize, InputSize);
            var y = p.Y.Slice(n * OutputSize, OutputSize);
            var argmax = p.State.Slice(n * OutputSize, OutputSize);
            for (int c = 0; c < channels; c++)
                for (int i = 0; i < ho; i++)
                    for (int j = 0; j < wo; j++)
                    {
                        int best = (c * h + i * Stride) * w + j * Stride;
                        T max = x[best];
                        for (int a = 0; a < Kernel; a++)
                        {
                            int row = (c * h + i * Stride + a) * w + j * Stride;
                            for (int b = 0; b < Kernel; b++)
                                if (x[row + b] > max || T.IsNaN(x[row + b]))
                                {
                                    max = x[row + b];
                                    best = row + b;
                                }
                        }
                        int o = (c * ho + i) * wo + j;
                        y[o] = max;
                        argmax[o] = T.CreateTruncating(best);
                    }
        }
    }

    /// <summary>out[a(o)] += in[o] per sample (out cleared first): the adjoint of the gather by argmax.</summary>
    private void Scatter(in LayerPass<T> p, ReadOnlySpan<T> source, Span<T> destination)
    {
        destination[..(p.Batch * InputSize)].Clear();
        for (int n = 0; n < p.Batch; n++)
        {
            var argmax = p.State.Slice(n * OutputSize, OutputSize);
            var src = source.Slice(n * OutputSize, OutputSize);
            var dst = destination.Slice(n * InputSize, InputSize);
            for (int o = 0; o < OutputSize; o++) dst[int.CreateTruncating(argmax[o])] += src[o];
        }
    }

    public override void Backward(in LayerPass<T> p)
    {
        if (!p.DX.IsEmpty) Scatter(p, p.DY, p.DX);
    }

    public override void RForward(in LayerPass<T> p)
    {
        if (p.RX.IsEmpty)
        {
            p.RY[..(p.Batch * OutputSize)].Clear();
            return;
        }
        for (int n = 0; n < p.Batch; n++)
        {
            var argmax = p.State.Slice(n * OutputSize, OutputSize);
            var rx = p.RX.Slice(n * InputSize, InputSize);
            var ry = p.RY.Slice(n * OutputSize, OutputSize);
            for (int o = 0; o < OutputSize; o++) ry[o] = rx[int.CreateTruncating(argmax[o])];
        }
    }

    public override void RBackward(in LayerPass<T> p)
    {
        if (!p.RDX.IsEmpty) Scatter(p, p.RDY, p.RDX);
    }
}
