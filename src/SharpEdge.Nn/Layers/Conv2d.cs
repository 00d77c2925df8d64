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

    // Stride 1 (the 3×3 convs of every preset) works on the zero-padded input xp [C, H + 2p, W + 2p] on a "wide"
    // grid of Ho rows of Wp = W + 2p columns: row (c, i, j) of the im2col matrix is then one contiguous run of xp
    // starting at c·Hp·Wp + i·Wp + j, and the last Wp − Wo columns of every output row are discarded (their output
    // gradients are zero). This replaces Ho small copies per row by one, at (Wp/Wo − 1) extra multiply-adds.
    private bool Shifted => Stride == 1 && !Direct;
    private int PaddedHeight => Height + 2 * Padding;
    private int PaddedWidth => Width + 2 * Padding;
    /// <summary>Columns of the GEMMs: Ho·Wp on the wide grid, Ho·Wo otherwise.</summary>
    private int Columns => Shifted ? OutHeight * PaddedWidth : Positions;
    /// <summary>The padded input plus a tail of kernel values that the last row's runs overhang.</summary>
    private int PaddedSize => Shifted ? InChannels * PaddedHeight * PaddedWidth + Kernel : 0;

    // Per worker: the padded input (stride 1), three im2col-sized buffers, two wide outputs (stride 1) and a
    // weight-gradient accumulator.
    private long Wide => Shifted ? (long)OutChannels * Columns : 0;
    private long PerWorker => PaddedSize + 3L * Depth * Columns + 2 * Wide + WeightCount + OutChannels;
    private long AccumulatorOffset => PaddedSize + 3L * Depth * Columns + 2 * Wide;

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
        if (p.Workspace.Length < PerWorker) throw new InvalidOperationException($"{Describe()}: the tape's workspace is too small");
        int workers = (int)Math.Min(Math.Min(Parallelism.Threads, p.Batch), p.Workspace.Length / PerWorker);
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
                    TensorPrimitives.Add(total, new ReadOnlySpan<T>(work + w * PerWorker + AccumulatorOffset, ParameterCount), total);
            }
        }
    }

    private void RunInParallel(Pass pass, Buffers b, int workers) =>
        Parallel.For(0, workers, new ParallelOptions { MaxDegreeOfParallelism = workers }, w =>
        {
            int start = (int)((long)b.Batch * w / workers), end = (int)((long)b.Batch * (w + 1) / workers);
            Range(pass, b, start, end - start, w, 1);
        });

    /// <summary>One worker's buffers.</summary>
    private ref struct Scratch
    {
        public Span<T> Padded, Cols, Cols2, DCols, Wide1, Wide2;
    }

    /// <summary>Samples [start, start+count) of one pass on worker <paramref name="worker"/>.</summary>
    private unsafe void Range(Pass pass, Buffers b, int start, int count, int worker, int gemmThreads)
    {
        int k = Depth, cols = Columns, cout = OutChannels;
        long inSize = InputSize, outSize = OutputSize;
        T* work = b.Work + worker * PerWorker;
        var s = new Scratch
        {
            Padded = new Span<T>(work, PaddedSize),
            Cols = new Span<T>(work + PaddedSize, k * cols),
            Cols2 = new Span<T>(work + PaddedSize + (long)k * cols, k * cols),
            DCols = new Span<T>(work + PaddedSize + 2L * k * cols, k * cols),
            Wide1 = new Span<T>(work + PaddedSize + 3L * k * cols, (int)Wide),
            Wide2 = new Span<T>(work + PaddedSize + 3L * k * cols + Wide, (int)Wide),
        };
        var w = new ReadOnlySpan<T>(b.Theta, WeightCount);
        // worker 0 accumulates the parameter gradient in place, the others in their workspace
        T* gradient = pass == Pass.Backward ? b.DTheta : pass == Pass.RBackward ? b.RDTheta : null;
        if (gradient is not null && worker > 0) gradient = work + AccumulatorOffset;
        var dw = gradient is null ? default : new Span<T>(gradient, WeightCount);
        var db = gradient is null || !HasBias ? default : new Span<T>(gradient + WeightCount, cout);
        if (gradient is not null) new Span<T>(gradient, ParameterCount).Clear();

        for (int n = start; n < start + count; n++)
        {
            var x = new ReadOnlySpan<T>(b.X + n * inSize, (int)inSize);
            switch (pass)
            {
                case Pass.Forward:
                {
                    var xc = Im2Col(x, s.Cols, s.Padded);
                    var y = new Span<T>(b.Y + n * outSize, (int)outSize);
                    var target = Shifted ? s.Wide1 : y;
                    Gemm.Multiply(false, false, cout, cols, k, T.One, w, k, xc, cols, T.Zero, target, cols, gemmThreads);
                    if (Shifted) Compact(s.Wide1, y);
                    if (HasBias) AddChannelBias(y, new ReadOnlySpan<T>(b.Theta + WeightCount, cout));
                    break;
                }
                case Pass.Backward:
                {
                    var dy = new ReadOnlySpan<T>(b.DY + n * outSize, (int)outSize);
                    var dyc = Shifted ? Expand(dy, s.Wide1) : dy;
                    if (gradient is not null)
                    {
                        var xc = Im2Col(x, s.Cols, s.Padded);
                        Gemm.Multiply(false, true, cout, k, cols, T.One, dyc, cols, xc, cols, T.One, dw, k, gemmThreads);
                        if (HasBias) AddChannelSums(dy, db);
                    }
                    if (b.DX is not null) InputGradient(w, dyc, default, default, new Span<T>(b.DX + n * inSize, (int)inSize), s, gemmThreads);
                    break;
                }
                case Pass.RForward:
                {
                    var ry = new Span<T>(b.RY + n * outSize, (int)outSize);
                    var target = Shifted ? s.Wide1 : ry;
                    var xc = Im2Col(x, s.Cols, s.Padded);
                    Gemm.Multiply(false, false, cout, cols, k, T.One, new ReadOnlySpan<T>(b.V, WeightCount), k, xc, cols, T.Zero, target, cols, gemmThreads);
                    if (b.RX is not null)
                    {
                        var rxc = Im2Col(new ReadOnlySpan<T>(b.RX + n * inSize, (int)inSize), s.Cols2, s.Padded);
                        Gemm.Multiply(false, false, cout, cols, k, T.One, w, k, rxc, cols, T.One, target, cols, gemmThreads);
                    }
                    if (Shifted) Compact(s.Wide1, ry);
                    if (HasBias) AddChannelBias(ry, new ReadOnlySpan<T>(b.V + WeightCount, cout));
                    break;
                }
                case Pass.RBackward:
                {
                    var dy = new ReadOnlySpan<T>(b.DY + n * outSize, (int)outSize);
                    var rdy = new ReadOnlySpan<T>(b.RDY + n * outSize, (int)outSize);
                    var dyc = Shifted ? Expand(dy, s.Wide2) : dy;
                    var rdyc = Shifted ? Expand(rdy, s.Wide1) : rdy;
                    if (gradient is not null)
                    {
                        var xc = Im2Col(x, s.Cols, s.Padded);
                        Gemm.Multiply(false, true, cout, k, cols, T.One, rdyc, cols, xc, cols, T.One, dw, k, gemmThreads);
                        if (b.RX is not null)
                        {
                            var rxc = Im2Col(new ReadOnlySpan<T>(b.RX + n * inSize, (int)inSize), s.Cols2, s.Padded);
                            Gemm.Multiply(false, true, cout, k, cols, T.One, dyc, cols, rxc, cols, T.One, dw, k, gemmThreads);
                        }
                        if (HasBias) AddChannelSums(rdy, db);
                    }
                    if (b.RDX is not null)
                        InputGradient(w, rdyc, new ReadOnlySpan<T>(b.V, WeightCount), dyc, new Span<T>(b.RDX + n * inSize, (int)inSize), s, gemmThreads);
                    break;
                }
            }
        }
    }

    /// <summary>The im2col matrix of one sample: x itself (1×1, stride 1), runs of the padded input (stride 1) or gathered windows.</summary>
    private ReadOnlySpan<T> Im2Col(ReadOnlySpan<T> x, Span<T> cols, Span<T> padded)
    {
        if (Direct) return x;
        if (!Shifted) return Gather(x, cols);
        Pad(x, padded);
        int hw = PaddedHeight * PaddedWidth, n = Columns;
        for (int c = 0; c < InChannels; c++)
            for (int i = 0; i < Kernel; i++)
                for (int j = 0; j < Kernel; j++)
                    padded.Slice(c * hw + i * PaddedWidth + j, n).CopyTo(cols.Slice(((c * Kernel + i) * Kernel + j) * n, n));
        return cols;
    }

    private void Pad(ReadOnlySpan<T> x, Span<T> padded)
    {
        int wp = PaddedWidth, hw = PaddedHeight * wp;
        if (Padding > 0) padded.Clear();
        else padded[(InChannels * hw)..].Clear();
        for (int c = 0; c < InChannels; c++)
            for (int h = 0; h < Height; h++)
                x.Slice((c * Height + h) * Width, Width).CopyTo(padded.Slice(c * hw + (h + Padding) * wp + Padding, Width));
    }

    /// <summary>y[o, h, :] = wide[o, h, :Wo]: drops the columns of the wide grid that are not outputs.</summary>
    private void Compact(ReadOnlySpan<T> wide, Span<T> y)
    {
        int wp = PaddedWidth, wo = OutWidth;
        for (int r = 0; r < OutChannels * OutHeight; r++) wide.Slice(r * wp, wo).CopyTo(y.Slice(r * wo, wo));
    }

    /// <summary>The adjoint of <see cref="Compact"/>: dy on the wide grid with zeros in the discarded columns.</summary>
    private Span<T> Expand(ReadOnlySpan<T> dy, Span<T> wide)
    {
        int wp = PaddedWidth, wo = OutWidth;
        for (int r = 0; r < OutChannels * OutHeight; r++)
        {
            dy.Slice(r * wo, wo).CopyTo(wide.Slice(r * wp, wo));
            wide.Slice(r * wp + wo, wp - wo).Clear();
        }
        return wide;
    }

    /// <summary>dx = col2im(Wᵀ dy [+ W2ᵀ dy2]): the input gradient, or R{dx} with W2 = V, dy2 = dy (dy on the GEMMs' grid).</summary>
    private void InputGradient(ReadOnlySpan<T> w, ReadOnlySpan<T> dy, ReadOnlySpan<T> w2, ReadOnlySpan<T> dy2, Span<T> dx, in Scratch s, int threads)
    {
        int k = Depth, cols = Columns, cout = OutChannels;
        var target = Direct ? dx : s.DCols;
        Gemm.Multiply(true, false, k, cols, cout, T.One, w, k, dy, cols, T.Zero, target, cols, threads);
        if (!w2.IsEmpty) Gemm.Multiply(true, false, k, cols, cout, T.One, w2, k, dy2, cols, T.One, target, cols, threads);
        if (Direct) return;
        if (!Shifted)
        {
            Scatter(s.DCols, dx);
            return;
        }
        // the adjoint of the runs: every row adds into the padded gradient, whose interior is dx
        var padded = s.Padded;
        padded.Clear();
        int hw = PaddedHeight * PaddedWidth;
        for (int c = 0; c < InChannels; c++)
            for (int i = 0; i < Kernel; i++)
                for (int j = 0; j < Kernel; j++)
                {
                    var run = padded.Slice(c * hw + i * PaddedWidth + j, cols);
                    TensorPrimitives.Add(run, s.DCols.Slice(((c * Kernel + i) * Kernel + j) * cols, cols), run);
                }
        for (int c = 0; c < InChannels; c++)
            for (int h = 0; h < Height; h++)
                padded.Slice(c * hw + (h + Padding) * PaddedWidth + Padding, Width).CopyTo(dx.Slice((c * Height + h) * Width, Width));
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

    /// <summary>cols[(c·k + i)·k + j, oh·Wo + ow] = x[c, oh·s + i − p, ow·s + j − p], zero outside the image (any stride).</summary>
    private Span<T> Gather(ReadOnlySpan<T> x, Span<T> cols)
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

    /// <summary>The adjoint of <see cref="Gather"/>: dx[c, ih, iw] = Σ of the columns that read it.</summary>
    private void Scatter(ReadOnlySpan<T> cols, Span<T> dx)
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
