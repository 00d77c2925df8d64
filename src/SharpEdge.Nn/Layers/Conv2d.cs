using System.Numerics;
using System.Numerics.Tensors;
using SharpEdge.Numerics;

namespace SharpEdge.Nn.Layers;

/// <summary>
/// PyTorch's nn.Conv2d on [C, H, W] samples: y[o] = Σ_c W[o, c] ⋆ x[c] + b[o] with stride s and zero padding p,
/// W of shape [out, in, kh, kw]. Each sample is one GEMM over its im2col matrix X̃ ([in·kh·kw, Ho·Wo]):
/// Y = W X̃ + b. The three passes follow from linearity in x and W:
/// dW = Σ_n dY_n X̃_nᵀ, dx = col2im(Wᵀ dY); R{Y} = W R{X̃} + V X̃ + v_b; R{dW} = Σ_n R{dY}_n X̃_nᵀ + dY_n R{X̃}_nᵀ,
/// R{dx} = col2im(Wᵀ R{dY} + Vᵀ dY). A 1×1 convolution with stride 1 and no padding multiplies x directly.
/// </summary>
/// <remarks>
/// Samples are split across <see cref="Parallelism.Threads"/> workers, each with its own im2col buffers and
/// single-threaded GEMMs (every sample's product is the same size, so the split is balanced and needs no
/// synchronisation but the final sum of the workers' weight gradients). Per-sample GEMMs write Y in [C, H, W]
/// order directly, where one GEMM over a whole batch would need transposes from [C, N·H·W] on every pass.
/// </remarks>
public sealed class Conv2d<T> : Layer<T> where T : unmanaged, IFloatingPointIeee754<T>
{
    private readonly int[] columnStart, columnEnd;

    public Conv2d(int[] inputShape, int outChannels, int kernel, int stride = 1, int padding = 0, bool bias = true)
        : base(Check(inputShape), OutputShapeOf(inputShape, outChannels, kernel, stride, padding))
    {
        InChannels = inputShape[0];
        Height = inputShape[1];
        Width = inputShape[2];
        OutChannels = outChannels;
        Kernel = kernel;
        Stride = stride;
        Padding = padding;
        HasBias = bias;
        OutHeight = OutputShape[1];
        OutWidth = OutputShape[2];
        Depth = InChannels * Kernel * Kernel;
        Positions = OutHeight * OutWidth;
        Direct = Kernel == 1 && Stride == 1 && Padding == 0;
        ParameterShapes = bias ? [("weight", [OutChannels, InChannels, Kernel, Kernel]), ("bias", [OutChannels])]
            : [("weight", [OutChannels, InChannels, Kernel, Kernel])];
        // output columns ow whose input column ow·s + j − p lies inside the image, per kernel column j
        columnStart = new int[Kernel];
        columnEnd = new int[Kernel];
        for (int j = 0; j < Kernel; j++)
        {
            int start = 0;
            while (start < OutWidth && start * Stride + j - Padding < 0) start++;
            int end = start;
            while (end < OutWidth && end * Stride + j - Padding < Width) end++;
            columnStart[j] = start;
            columnEnd[j] = end;
        }
    }

    private static int[] Check(int[] inputShape)
    {
        if (inputShape.Length != 3 || inputShape.Any(s => s < 1))
            throw new ArgumentException($"Conv2d takes [channels, height, width] samples, got [{string.Join(", ", inputShape)}]");
        return inputShape;
    }

    private static int[] OutputShapeOf(int[] inputShape, int outChannels, int kernel, int stride, int padding)
    {
        Check(inputShape);
        if (outChannels < 1 || kernel < 1 || stride < 1 || padding < 0)
            throw new ArgumentException($"Conv2d needs positive channels, kernel and stride and padding ≥ 0, got {outChannels}, {kernel}, {stride}, {padding}");
        int h = (inputShape[1] + 2 * padding - kernel) / stride + 1, w = (inputShape[2] + 2 * padding - kernel) / stride + 1;
        if (inputShape[1] + 2 * padding < kernel || inputShape[2] + 2 * padding < kernel)
            throw new ArgumentException($"Conv2d kernel {kernel} does not fit a {inputShape[1]}x{inputShape[2]} input with padding {padding}");
        return [outChannels, h, w];
    }

    public int InChannels { get; }
    public int Height { get; }
    public int Width { get; }
    public int OutChannels { get; }
    public int Kernel { get; }
    public int Stride { get; }
    public int Padding { get; }
    public bool HasBias { get; }
    public int OutHeight { get; }
    public int OutWidth { get; }

    /// <summary>Rows of the im2col matrix: in·kh·kw.</summary>
    private int Depth { get; }

    /// <summary>Columns of the im2col matrix: Ho·Wo.</summary>
    private int Positions { get; }

    /// <summary>1×1, stride 1, no padding: the im2col matrix is the input itself.</summary>
    private bool Direct { get; }

    private int WeightCount => OutChannels * Depth;

    public override IReadOnlyList<(string Name, int[] Shape)> ParameterShapes { get; }

    public override string Describe() =>
        $"Conv2d({InChannels}→{OutChannels}, {Kernel}x{Kernel}{(Stride != 1 ? $", stride {Stride}" : "")}{(Padding != 0 ? $", pad {Padding}" : "")}{(HasBias ? "" : ", no bias")}; {Height}x{Width}→{OutHeight}x{OutWidth})";

    // Per worker: three im2col-sized buffers and a weight-gradient accumulator.
    private long PerWorker => 3L * Depth * Positions + WeightCount + OutChannels;

    public override long WorkspaceSize(int capacity) => PerWorker * Math.Max(1, Math.Min(Parallelism.ProcessThreads, capacity));

    private enum Pass { Forward, Backward, RForward, RBackward }

    /// <summary>Pointers to the pass's buffers (null where a span is empty), so workers on other threads can reach them.</summary>
    private unsafe struct Buffers
    {
        public T* X, Y, DY, DX, RX, RY, RDY, RDX, Theta, V, DTheta, RDTheta, Work;
        public int Batch;
    }

    public override void Forward(in LayerPass<T> p) => Run(Pass.Forward, p);
    public override void Backward(in LayerPass<T> p) => Run(Pass.Backward, p);
    public override void RForward(in LayerPass<T> p) => Run(Pass.RForward, p);
    public override void RBackward(in LayerPass<T> p) => Run(Pass.RBackward, p);

    private unsafe void Run(Pass pass, in LayerPass<T> p)
    {
        int workers = (int)Math.Min(Math.Min(Parallelism.Threads, p.Batch), Math.Max(1, p.Workspace.Length / PerWorker));
        if (p.Workspace.Length < PerWorker) throw new InvalidOperationException($"{Describe()}: the tape's workspace is too small");
        fixed (T* x = p.X, y = p.Y, dy = p.DY, dx = p.DX, rx = p.RX, ry = p.RY, rdy = p.RDY, rdx = p.RDX)
        fixed (T* theta = p.Theta, v = p.V, dtheta = p.DTheta, rdtheta = p.RDTheta, work = p.Workspace)
        {
            var b = new Buffers
            {
                X = x, Y = y, DY = dy, DX = dx, RX = rx, RY = ry, RDY = rdy, RDX = rdx,
                Theta = theta, V = v, DTheta = dtheta, RDTheta = rdtheta, Work = work, Batch = p.Batch,
            };
            if (workers == 1) Range(pass, b, 0, p.Batch, 0, Parallelism.Threads);
            else RunInParallel(pass, b, workers);
            // the weight gradients of workers 1.. were accumulated in their own workspace
            T* sum = pass == Pass.Backward ? dtheta : pass == Pass.RBackward ? rdtheta : null;
            if (sum is not null)
            {
                var total = new Span<T>(sum, ParameterCount);
                for (int w = 1; w < workers; w++)
                    TensorPrimitives.Add(total, new ReadOnlySpan<T>(work + w * PerWorker + 3L * Depth * Positions, ParameterCount), total);
            }
        }
    }

    private void RunInParallel(Pass pass, Buffers b, int workers) =>
        Parallel.For(0, workers, new ParallelOptions { MaxDegreeOfParallelism = workers }, w =>
        {
            int start = (int)((long)b.Batch * w / workers), end = (int)((long)b.Batch * (w + 1) / workers);
            Range(pass, b, start, end - start, w, 1);
        });

    /// <summary>Samples [start, start+count) of one pass on worker <paramref name="worker"/>.</summary>
    private unsafe void Range(Pass pass, Buffers b, int start, int count, int worker, int gemmThreads)
    {
        int k = Depth, pos = Positions, cout = OutChannels;
        long inSize = InputSize, outSize = OutputSize;
        T* work = b.Work + worker * PerWorker;
        var cols = new Span<T>(work, k * pos);
        var cols2 = new Span<T>(work + (long)k * pos, k * pos);
        var dcols = new Span<T>(work + 2L * k * pos, k * pos);
        var w = new ReadOnlySpan<T>(b.Theta, WeightCount);
        // worker 0 accumulates the parameter gradient in place, the others in their workspace
        T* gradient = pass == Pass.Backward ? b.DTheta : pass == Pass.RBackward ? b.RDTheta : null;
        if (gradient is not null && worker > 0) gradient = work + 3L * k * pos;
        var dw = gradient is null ? default : new Span<T>(gradient, WeightCount);
        var db = gradient is null || !HasBias ? default : new Span<T>(gradient + WeightCount, cout);
        if (gradient is not null) new Span<T>(gradient, ParameterCount).Clear();

        for (int n = start; n < start + count; n++)
        {
            var x = new ReadOnlySpan<T>(b.X + n * inSize, (int)inSize);
            ReadOnlySpan<T> xc = Direct ? x : Im2Col(x, cols);
            switch (pass)
            {
                case Pass.Forward:
                {
                    var y = new Span<T>(b.Y + n * outSize, (int)outSize);
                    Gemm.Multiply(false, false, cout, pos, k, T.One, w, k, xc, pos, T.Zero, y, pos, gemmThreads);
                    if (HasBias) AddChannelBias(y, new ReadOnlySpan<T>(b.Theta + WeightCount, cout));
                    break;
                }
                case Pass.Backward:
                {
                    var dy = new ReadOnlySpan<T>(b.DY + n * outSize, (int)outSize);
                    if (gradient is not null)
                    {
                        Gemm.Multiply(false, true, cout, k, pos, T.One, dy, pos, xc, pos, T.One, dw, k, gemmThreads);
                        if (HasBias) AddChannelSums(dy, db);
                    }
                    if (b.DX is not null) InputGradient(w, dy, default, default, new Span<T>(b.DX + n * inSize, (int)inSize), dcols, gemmThreads);
                    break;
                }
                case Pass.RForward:
                {
                    var ry = new Span<T>(b.RY + n * outSize, (int)outSize);
                    var v = new ReadOnlySpan<T>(b.V, WeightCount);
                    Gemm.Multiply(false, false, cout, pos, k, T.One, v, k, xc, pos, T.Zero, ry, pos, gemmThreads);
                    if (b.RX is not null)
                    {
                        var rx = new ReadOnlySpan<T>(b.RX + n * inSize, (int)inSize);
                        ReadOnlySpan<T> rxc = Direct ? rx : Im2Col(rx, cols2);
                        Gemm.Multiply(false, false, cout, pos, k, T.One, w, k, rxc, pos, T.One, ry, pos, gemmThreads);
                    }
                    if (HasBias) AddChannelBias(ry, new ReadOnlySpan<T>(b.V + WeightCount, cout));
                    break;
                }
                case Pass.RBackward:
                {
                    var dy = new ReadOnlySpan<T>(b.DY + n * outSize, (int)outSize);
                    var rdy = new ReadOnlySpan<T>(b.RDY + n * outSize, (int)outSize);
                    if (gradient is not null) Gemm.Multiply(false, true, cout, k, pos, T.One, rdy, pos, xc, pos, T.One, dw, k, gemmThreads);
                    if (gradient is not null && b.RX is not null)
                    {
                        var rx = new ReadOnlySpan<T>(b.RX + n * inSize, (int)inSize);
                        ReadOnlySpan<T> rxc = Direct ? rx : Im2Col(rx, cols2);
                        Gemm.Multiply(false, true, cout, k, pos, T.One, dy, pos, rxc, pos, T.One, dw, k, gemmThreads);
                    }
                    if (gradient is not null && HasBias) AddChannelSums(rdy, db);
                    if (b.RDX is not null)
                        InputGradient(w, rdy, new ReadOnlySpan<T>(b.V, WeightCount), dy, new Span<T>(b.RDX + n * inSize, (int)inSize), dcols, gemmThreads);
                    break;
                }
            }
        }
    }

    /// <summary>dx = col2im(Wᵀ dy [+ W2ᵀ dy2]): the input gradient, or R{dx} with W2 = V, dy2 = dy.</summary>
    private void InputGradient(ReadOnlySpan<T> w, ReadOnlySpan<T> dy, ReadOnlySpan<T> w2, ReadOnlySpan<T> dy2, Span<T> dx, Span<T> dcols, int threads)
    {
        int k = Depth, pos = Positions, cout = OutChannels;
        var target = Direct ? dx : dcols;
        Gemm.Multiply(true, false, k, pos, cout, T.One, w, k, dy, pos, T.Zero, target, pos, threads);
        if (!w2.IsEmpty) Gemm.Multiply(true, false, k, pos, cout, T.One, w2, k, dy2, pos, T.One, target, pos, threads);
        if (!Direct) Col2Im(dcols, dx);
    }

    private void AddChannelBias(Span<T> y, ReadOnlySpan<T> bias)
    {
        for (int o = 0; o < OutChannels; o++)
        {
            var row = y.Slice(o * Positions, Positions);
            TensorPrimitives.Add(row, bias[o], row);
        }
    }

    private void AddChannelSums(ReadOnlySpan<T> dy, Span<T> sums)
    {
        for (int o = 0; o < OutChannels; o++) sums[o] += TensorPrimitives.Sum(dy.Slice(o * Positions, Positions));
    }

    /// <summary>cols[(c·k + i)·k + j, oh·Wo + ow] = x[c, oh·s + i − p, ow·s + j − p], zero outside the image.</summary>
    private Span<T> Im2Col(ReadOnlySpan<T> x, Span<T> cols)
    {
        int k = Kernel, s = Stride, pad = Padding, wo = OutWidth;
        for (int c = 0; c < InChannels; c++)
            for (int i = 0; i < k; i++)
                for (int j = 0; j < k; j++)
                {
                    var row = cols.Slice(((c * k + i) * k + j) * Positions, Positions);
                    int start = columnStart[j], end = columnEnd[j];
                    for (int oh = 0; oh < OutHeight; oh++)
                    {
                        var dst = row.Slice(oh * wo, wo);
                        int ih = oh * s + i - pad;
                        if ((uint)ih >= (uint)Height || start >= end)
                        {
                            dst.Clear();
                            continue;
                        }
                        dst[..start].Clear();
                        dst[end..].Clear();
                        var src = x.Slice((c * Height + ih) * Width, Width);
                        int offset = j - pad;
                        if (s == 1)
                            src.Slice(start + offset, end - start).CopyTo(dst[start..end]);
                        else
                            for (int ow = start; ow < end; ow++) dst[ow] = src[ow * s + offset];
                    }
                }
        return cols;
    }

    /// <summary>The adjoint of <see cref="Im2Col"/>: dx[c, ih, iw] = Σ of the columns that read it.</summary>
    private void Col2Im(ReadOnlySpan<T> cols, Span<T> dx)
    {
        int k = Kernel, s = Stride, pad = Padding, wo = OutWidth;
        dx.Clear();
        for (int c = 0; c < InChannels; c++)
            for (int i = 0; i < k; i++)
                for (int j = 0; j < k; j++)
                {
                    var row = cols.Slice(((c * k + i) * k + j) * Positions, Positions);
                    int start = columnStart[j], end = columnEnd[j];
                    if (start >= end) continue;
                    for (int oh = 0; oh < OutHeight; oh++)
                    {
                        int ih = oh * s + i - pad;
                        if ((uint)ih >= (uint)Height) continue;
                        var src = row.Slice(oh * wo, wo);
                        var dst = dx.Slice((c * Height + ih) * Width, Width);
                        int offset = j - pad;
                        if (s == 1)
                        {
                            var d = dst.Slice(start + offset, end - start);
                            TensorPrimitives.Add(d, src[start..end], d);
                        }
                        else
                            for (int ow = start; ow < end; ow++) dst[ow * s + offset] += src[ow];
                    }
                }
    }
}
