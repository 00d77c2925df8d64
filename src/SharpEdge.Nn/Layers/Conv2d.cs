using System.Numerics;
using System.Numerics.Tensors;
using SharpEdge.Numerics;

namespace SharpEdge.Nn.Layers;

/// <summary>
/// PyTorch's nn.Conv2d on [C, H, W] samples: y[o] = Σ_c W[o, c] ⋆ x[c] + b[o] with stride s and zero padding p,
/// W of shape [out, in, kh, kw]. Every pass is a GEMM over the im2col matrix X̃ ([in·kh·kw, Ho·Wo] per sample):
/// Y = W X̃ + b. The three passes follow from linearity in x and W:
/// dW = Σ_n dY_n X̃_nᵀ, dx = col2im(Wᵀ dY); R{Y} = W R{X̃} + V X̃ + v_b; R{dW} = Σ_n R{dY}_n X̃_nᵀ + dY_n R{X̃}_nᵀ,
/// R{dx} = col2im(Wᵀ R{dY} + Vᵀ dY).
/// </summary>
/// <remarks>
/// Samples are split across <see cref="Parallelism.Threads"/> workers, each with its own buffers and
/// single-threaded GEMMs (every sample costs the same, so the split is balanced and needs no synchronisation
/// but the final sum of the workers' weight gradients). For small images a worker takes a few samples at a time
/// side by side ([in·kh·kw, G·Ho·Wo]), so that every GEMM has at least ~512 columns (larger groups sped up the
/// GEMMs alone but not the layers, whose buffers then outgrow the caches).
/// Stride 1 (the 3×3 convolutions of every preset) works on the zero-padded input on a "wide" grid of rows of
/// W + 2p columns, so that each im2col row is one contiguous copy instead of Ho short ones; the extra columns
/// of each output row are discarded (their output gradients are zero).
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

    /// <summary>Stride 1 (not 1×1 without padding): im2col rows are runs of the padded input on the wide grid.</summary>
    private bool Shifted => Stride == 1 && !Direct;
    private int PaddedHeight => Height + 2 * Padding;
    private int PaddedWidth => Width + 2 * Padding;
    /// <summary>Columns of an output row on the GEMMs' grid: W + 2p on the wide grid, Wo otherwise.</summary>
    private int GridWidth => Shifted ? PaddedWidth : OutWidth;
    /// <summary>Columns per sample of the GEMMs: Ho·GridWidth.</summary>
    private int Columns => OutHeight * GridWidth;
    /// <summary>The padded input plus a tail of kernel values that the last row's runs overhang.</summary>
    private int PaddedSize => Shifted ? InChannels * PaddedHeight * PaddedWidth + Kernel : 0;
    /// <summary>Samples side by side in one GEMM.</summary>
    private int Group => Math.Clamp((TargetColumns + Columns - 1) / Columns, 1, 16);
    private const int TargetColumns = 512;

    // Per worker: the padded input (stride 1), three im2col matrices of a group (x, R{x}, and the input gradient),
    // two output-sized matrices of a group, W and V stacked, and a weight-gradient accumulator.
    private long GroupColumns => (long)Group * Columns;
    private long PerWorker => PaddedSize + (3L * Depth + 2L * OutChannels) * GroupColumns + 2L * WeightCount + ParameterCount;
    private long AccumulatorOffset => PerWorker - ParameterCount;

    public override long WorkspaceSize(int capacity) => PerWorker * Math.Max(1, Math.Min(Parallelism.ProcessThreads, capacity));

    private enum Pass { Forward, Backward, RForward, RBackward }

    /// <summary>Pointers to the pass's buffers (null where a span is empty), so workers on other threads can reach them.</summary>
    private unsafe struct Buffers
    {
        public T* X, Y, DY, DX, RX, RY, RDY, RDX, Theta, V, DTheta, RDTheta, Work;
        public int Batch;
    }

    /// <summary>y is written by the forward pass only.</summary>
    public override bool ReadsOutputAfterForward => false;

    public override void Forward(in LayerPass<T> p) => Run(Pass.Forward, p);
    public override void Backward(in LayerPass<T> p) => Run(Pass.Backward, p);
    public override void RForward(in LayerPass<T> p) => Run(Pass.RForward, p);
    public override void RBackward(in LayerPass<T> p) => Run(Pass.RBackward, p);

    private unsafe void Run(Pass pass, in LayerPass<T> p)
    {
        if (p.Workspace.Length < PerWorker) throw new InvalidOperationException($"{Describe()}: the tape's workspace is too small");
        // samples per worker: at least a group's worth, so small batches stay on one thread with one GEMM
        int workers = (int)Math.Min(Math.Min(Parallelism.Threads, (p.Batch + Group - 1) / Group), p.Workspace.Length / PerWorker);
        workers = Math.Max(1, workers);
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

    /// <summary>Samples [start, start+count) of one pass on worker <paramref name="worker"/>, a group at a time.</summary>
    private unsafe void Range(Pass pass, Buffers b, int start, int count, int worker, int gemmThreads)
    {
        int k = Depth, cout = OutChannels;
        long inSize = InputSize, outSize = OutputSize, group = GroupColumns;
        T* work = b.Work + worker * PerWorker;
        var padded = new Span<T>(work, PaddedSize);
        T* matrices = work + PaddedSize;
        // R passes stack W and V so that each sum of two products is one GEMM over twice the inner dimension:
        // R{Y} = [V W] [X̃; R{X̃}] and R{dX̃} = [W; V]ᵀ [R{dY}; dY]
        var stacked = new Span<T>(work + PaddedSize + (3L * k + 2L * cout) * group, 2 * WeightCount);
        if (pass == Pass.RForward && b.RX is not null)
            for (int o = 0; o < cout; o++)
            {
                new ReadOnlySpan<T>(b.V + o * k, k).CopyTo(stacked.Slice(2 * o * k, k));
                new ReadOnlySpan<T>(b.Theta + o * k, k).CopyTo(stacked.Slice((2 * o + 1) * k, k));
            }
        if (pass == Pass.RBackward && b.RDX is not null)
        {
            new ReadOnlySpan<T>(b.Theta, WeightCount).CopyTo(stacked);
            new ReadOnlySpan<T>(b.V, WeightCount).CopyTo(stacked[WeightCount..]);
        }
        var w = new ReadOnlySpan<T>(b.Theta, WeightCount);
        var v = b.V is null ? default : new ReadOnlySpan<T>(b.V, WeightCount);
        // worker 0 accumulates the parameter gradient in place, the others in their workspace
        T* gradient = pass == Pass.Backward ? b.DTheta : pass == Pass.RBackward ? b.RDTheta : null;
        if (gradient is not null && worker > 0) gradient = work + AccumulatorOffset;
        var dw = gradient is null ? default : new Span<T>(gradient, WeightCount);
        var db = gradient is null || !HasBias ? default : new Span<T>(gradient + WeightCount, cout);
        if (gradient is not null) new Span<T>(gradient, ParameterCount).Clear();

        for (int first = start; first < start + count; first += Group)
        {
            // laid out for this group's width, so that cols2 follows cols and out2 follows out1 as stacked rows
            int g = Math.Min(Group, start + count - first), ld = g * Columns;
            var cols = new Span<T>(matrices, k * ld);
            var cols2 = new Span<T>(matrices + (long)k * ld, k * ld);
            var dcols = new Span<T>(matrices + 2L * k * ld, k * ld);
            var out1 = new Span<T>(matrices + 3L * k * ld, cout * ld);
            var out2 = new Span<T>(matrices + 3L * k * ld + (long)cout * ld, cout * ld);
            ReadOnlySpan<T> Sample(T* data, long size, int j) => new(data + (first + j) * size, (int)size);
            Span<T> Target(T* data, long size, int j) => new(data + (first + j) * size, (int)size);
            switch (pass)
            {
                case Pass.Forward:
                    for (int j = 0; j < g; j++) Im2Col(Sample(b.X, inSize, j), cols, ld, j, padded);
                    Gemm.Multiply(false, false, cout, ld, k, T.One, w, k, cols, ld, T.Zero, out1, ld, gemmThreads);
                    for (int j = 0; j < g; j++) Compact(out1, ld, j, Target(b.Y, outSize, j), HasBias ? new ReadOnlySpan<T>(b.Theta + WeightCount, cout) : default);
                    break;
                case Pass.Backward:
                    for (int j = 0; j < g; j++) Expand(Sample(b.DY, outSize, j), out1, ld, j);
                    if (gradient is not null)
                    {
                        for (int j = 0; j < g; j++) Im2Col(Sample(b.X, inSize, j), cols, ld, j, padded);
                        Gemm.Multiply(false, true, cout, k, ld, T.One, out1, ld, cols, ld, T.One, dw, k, gemmThreads);
                        if (HasBias) for (int j = 0; j < g; j++) AddChannelSums(Sample(b.DY, outSize, j), db);
                    }
                    if (b.DX is not null)
                    {
                        Gemm.Multiply(true, false, k, ld, cout, T.One, w, k, out1, ld, T.Zero, dcols, ld, gemmThreads);
                        for (int j = 0; j < g; j++) Col2Im(dcols, ld, j, Target(b.DX, inSize, j), padded);
                    }
                    break;
                case Pass.RForward:
                    for (int j = 0; j < g; j++) Im2Col(Sample(b.X, inSize, j), cols, ld, j, padded);
                    if (b.RX is null)
                        Gemm.Multiply(false, false, cout, ld, k, T.One, v, k, cols, ld, T.Zero, out1, ld, gemmThreads);
                    else
                    {
                        for (int j = 0; j < g; j++) Im2Col(Sample(b.RX, inSize, j), cols2, ld, j, padded);
                        Gemm.Multiply(false, false, cout, ld, 2 * k, T.One, stacked, 2 * k, new ReadOnlySpan<T>(matrices, 2 * k * ld), ld, T.Zero, out1, ld, gemmThreads);
                    }
                    for (int j = 0; j < g; j++) Compact(out1, ld, j, Target(b.RY, outSize, j), HasBias ? new ReadOnlySpan<T>(b.V + WeightCount, cout) : default);
                    break;
                case Pass.RBackward:
                    for (int j = 0; j < g; j++)
                    {
                        Expand(Sample(b.RDY, outSize, j), out1, ld, j);
                        Expand(Sample(b.DY, outSize, j), out2, ld, j);
                    }
                    if (gradient is not null)
                    {
                        for (int j = 0; j < g; j++) Im2Col(Sample(b.X, inSize, j), cols, ld, j, padded);
                        Gemm.Multiply(false, true, cout, k, ld, T.One, out1, ld, cols, ld, T.One, dw, k, gemmThreads);
                        if (b.RX is not null)
                        {
                            for (int j = 0; j < g; j++) Im2Col(Sample(b.RX, inSize, j), cols2, ld, j, padded);
                            Gemm.Multiply(false, true, cout, k, ld, T.One, out2, ld, cols2, ld, T.One, dw, k, gemmThreads);
                        }
                        if (HasBias) for (int j = 0; j < g; j++) AddChannelSums(Sample(b.RDY, outSize, j), db);
                    }
                    if (b.RDX is not null)
                    {
                        var both = new ReadOnlySpan<T>(matrices + 3L * k * ld, 2 * cout * ld);
                        Gemm.Multiply(true, false, k, ld, 2 * cout, T.One, stacked, k, both, ld, T.Zero, dcols, ld, gemmThreads);
                        for (int j = 0; j < g; j++) Col2Im(dcols, ld, j, Target(b.RDX, inSize, j), padded);
                    }
                    break;
            }
        }
    }

    /// <summary>
    /// Writes sample <paramref name="j"/>'s im2col matrix into columns [j·N, (j+1)·N) of <paramref name="cols"/>
    /// (rows of <paramref name="ld"/> values): row (c, i, j') holds x[c, oh·s + i − p, ow·s + j' − p] (zero outside),
    /// on the wide grid for stride 1.
    /// </summary>
    private void Im2Col(ReadOnlySpan<T> x, Span<T> cols, int ld, int j, Span<T> padded)
    {
        int n = Columns, offset = j * n;
        if (Direct)
        {
            for (int c = 0; c < InChannels; c++) x.Slice(c * n, n).CopyTo(cols.Slice(c * ld + offset, n));
            return;
        }
        if (!Shifted)
        {
            Gather(x, cols, ld, offset);
            return;
        }
        int wp = PaddedWidth, hw = PaddedHeight * wp;
        if (Padding > 0) padded.Clear();
        else padded[(InChannels * hw)..].Clear();
        for (int c = 0; c < InChannels; c++)
            for (int h = 0; h < Height; h++)
                x.Slice((c * Height + h) * Width, Width).CopyTo(padded.Slice(c * hw + (h + Padding) * wp + Padding, Width));
        for (int c = 0; c < InChannels; c++)
            for (int a = 0; a < Kernel; a++)
                for (int e = 0; e < Kernel; e++)
                    padded.Slice(c * hw + a * wp + e, n).CopyTo(cols.Slice(((c * Kernel + a) * Kernel + e) * ld + offset, n));
    }

    /// <summary>The adjoint of <see cref="Im2Col"/>: dx of sample <paramref name="j"/> from its columns of <paramref name="dcols"/>.</summary>
    private void Col2Im(ReadOnlySpan<T> dcols, int ld, int j, Span<T> dx, Span<T> padded)
    {
        int n = Columns, offset = j * n;
        if (Direct)
        {
            for (int c = 0; c < InChannels; c++) dcols.Slice(c * ld + offset, n).CopyTo(dx.Slice(c * n, n));
            return;
        }
        if (!Shifted)
        {
            Scatter(dcols, ld, offset, dx);
            return;
        }
        // every run adds into the padded gradient, whose interior is dx
        int wp = PaddedWidth, hw = PaddedHeight * wp;
        padded.Clear();
        for (int c = 0; c < InChannels; c++)
            for (int a = 0; a < Kernel; a++)
                for (int e = 0; e < Kernel; e++)
                {
                    var run = padded.Slice(c * hw + a * wp + e, n);
                    TensorPrimitives.Add(run, dcols.Slice(((c * Kernel + a) * Kernel + e) * ld + offset, n), run);
                }
        for (int c = 0; c < InChannels; c++)
            for (int h = 0; h < Height; h++)
                padded.Slice(c * hw + (h + Padding) * wp + Padding, Width).CopyTo(dx.Slice((c * Height + h) * Width, Width));
    }

    /// <summary>y[o, h, :] = out[o, sample j, h, :Wo] (+ bias[o]): drops the wide grid's extra columns.</summary>
    private void Compact(ReadOnlySpan<T> output, int ld, int j, Span<T> y, ReadOnlySpan<T> bias)
    {
        int gw = GridWidth, wo = OutWidth, ho = OutHeight, offset = j * Columns;
        for (int o = 0; o < OutChannels; o++)
        {
            var channel = y.Slice(o * Positions, Positions);
            if (gw == wo) output.Slice(o * ld + offset, Positions).CopyTo(channel);
            else
                for (int h = 0; h < ho; h++) output.Slice(o * ld + offset + h * gw, wo).CopyTo(channel.Slice(h * wo, wo));
            if (!bias.IsEmpty) TensorPrimitives.Add(channel, bias[o], channel);
        }
    }

    /// <summary>The adjoint of <see cref="Compact"/>: dy of sample j on the GEMMs' grid, zeros in the extra columns.</summary>
    private void Expand(ReadOnlySpan<T> dy, Span<T> output, int ld, int j)
    {
        int gw = GridWidth, wo = OutWidth, ho = OutHeight, offset = j * Columns;
        for (int o = 0; o < OutChannels; o++)
        {
            var channel = dy.Slice(o * Positions, Positions);
            if (gw == wo)
            {
                channel.CopyTo(output.Slice(o * ld + offset, Positions));
                continue;
            }
            for (int h = 0; h < ho; h++)
            {
                var row = output.Slice(o * ld + offset + h * gw, gw);
                channel.Slice(h * wo, wo).CopyTo(row);
                row[wo..].Clear();
            }
        }
    }

    private void AddChannelSums(ReadOnlySpan<T> dy, Span<T> sums)
    {
        for (int o = 0; o < OutChannels; o++) sums[o] += TensorPrimitives.Sum(dy.Slice(o * Positions, Positions));
    }

    /// <summary>Row (c, i, j) of the im2col matrix at cols[row·ld + offset …] for any stride: x[c, oh·s + i − p, ow·s + j − p], zero outside the image.</summary>
    private void Gather(ReadOnlySpan<T> x, Span<T> cols, int ld, int offset)
    {
        int k = Kernel, s = Stride, pad = Padding, wo = OutWidth;
        for (int c = 0; c < InChannels; c++)
            for (int i = 0; i < k; i++)
                for (int j = 0; j < k; j++)
                {
                    var row = cols.Slice(((c * k + i) * k + j) * ld + offset, Positions);
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
                        int shift = j - pad;
                        if (s == 1)
                            src.Slice(start + shift, end - start).CopyTo(dst[start..end]);
                        else
                            for (int ow = start; ow < end; ow++) dst[ow] = src[ow * s + shift];
                    }
                }
    }

    /// <summary>The adjoint of <see cref="Gather"/>: dx[c, ih, iw] = Σ of the im2col entries that read it.</summary>
    private void Scatter(ReadOnlySpan<T> cols, int ld, int offset, Span<T> dx)
    {
        int k = Kernel, s = Stride, pad = Padding, wo = OutWidth;
        dx.Clear();
        for (int c = 0; c < InChannels; c++)
            for (int i = 0; i < k; i++)
                for (int j = 0; j < k; j++)
                {
                    var row = cols.Slice(((c * k + i) * k + j) * ld + offset, Positions);
                    int start = columnStart[j], end = columnEnd[j];
                    if (start >= end) continue;
                    for (int oh = 0; oh < OutHeight; oh++)
                    {
                        int ih = oh * s + i - pad;
                        if ((uint)ih >= (uint)Height) continue;
                        var src = row.Slice(oh * wo, wo);
                        var dst = dx.Slice((c * Height + ih) * Width, Width);
                        int shift = j - pad;
                        if (s == 1)
                        {
                            var d = dst.Slice(start + shift, end - start);
                            TensorPrimitives.Add(d, src[start..end], d);
                        }
                        else
                            for (int ow = start; ow < end; ow++) dst[ow * s + shift] += src[ow];
                    }
                }
    }
}
