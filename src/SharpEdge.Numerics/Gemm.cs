using System.Numerics;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;

namespace SharpEdge.Numerics;

/// <summary>
/// General matrix multiply on row-major data: C[m,n] = alpha * op(A)[m,k] * op(B)[k,n] + beta * C with
/// op(X) = X or X^T. A is m x k (lda &gt;= k) unless transA, then k x m (lda &gt;= m); B is k x n (ldb &gt;= n) unless
/// transB, then n x k (ldb &gt;= k). beta == 0 overwrites C, ignoring any NaNs in it; k == 0 or alpha == 0 leaves
/// beta * C. C must not overlap A or B.
/// </summary>
public static class Gemm
{
    // Below this many multiply-adds a second thread costs more to wake than it saves.
    private const long ParallelThreshold = 1L << 21;

    // Dot products beat packed GEMM for a transposed B when C has at most this many rows...
    private const int DotProductMaxRows = 16;

    // ...and the dot products are long enough to amortise their horizontal sums.
    private const int DotProductMinDepth = 32;

    /// <summary>The kernel family <see cref="GemmKernelKind.Auto"/> resolves to on this machine.</summary>
    public static GemmKernelKind DefaultKernel { get; } =
        IsSupported(GemmKernelKind.Avx512) ? GemmKernelKind.Avx512 :
        IsSupported(GemmKernelKind.Avx2) ? GemmKernelKind.Avx2 :
        GemmKernelKind.Portable;

    /// <summary>Whether <paramref name="kind"/> can run on this machine.</summary>
    public static bool IsSupported(GemmKernelKind kind) => kind switch
    {
        GemmKernelKind.Auto or GemmKernelKind.Portable => true,
        GemmKernelKind.Avx2 => Avx2SingleKernel.IsSupported,
        GemmKernelKind.Avx512 => Avx512SingleKernel.IsSupported,
        _ => false,
    };

    /// <summary>Single-precision GEMM on up to <see cref="Parallelism.Threads"/> threads.</summary>
    public static void Multiply(bool transA, bool transB, int m, int n, int k, float alpha, ReadOnlySpan<float> a, int lda,
        ReadOnlySpan<float> b, int ldb, float beta, Span<float> c, int ldc) =>
        Multiply(transA, transB, m, n, k, alpha, a, lda, b, ldb, beta, c, ldc, Parallelism.Threads);

    /// <summary>Double-precision GEMM on up to <see cref="Parallelism.Threads"/> threads.</summary>
    public static void Multiply(bool transA, bool transB, int m, int n, int k, double alpha, ReadOnlySpan<double> a, int lda,
        ReadOnlySpan<double> b, int ldb, double beta, Span<double> c, int ldc) =>
        Multiply(transA, transB, m, n, k, alpha, a, lda, b, ldb, beta, c, ldc, Parallelism.Threads);

    /// <summary>GEMM for T = float or double; any other T throws <see cref="NotSupportedException"/>.</summary>
    public static void Multiply<T>(bool transA, bool transB, int m, int n, int k, T alpha, ReadOnlySpan<T> a, int lda,
        ReadOnlySpan<T> b, int ldb, T beta, Span<T> c, int ldc) where T : unmanaged =>
        Multiply(transA, transB, m, n, k, alpha, a, lda, b, ldb, beta, c, ldc, Parallelism.Threads);

    /// <summary>Single-precision GEMM on up to <paramref name="threads"/> threads with a chosen kernel family.</summary>
    public static void Multiply(bool transA, bool transB, int m, int n, int k, float alpha, ReadOnlySpan<float> a, int lda,
        ReadOnlySpan<float> b, int ldb, float beta, Span<float> c, int ldc, int threads, GemmKernelKind kernel = GemmKernelKind.Auto)
    {
        Validate(transA, transB, m, n, k, a.Length, lda, b.Length, ldb, c.Length, ldc, threads, kernel);
        switch (Resolve(kernel))
        {
            case GemmKernelKind.Avx512: Pin<float, Avx512SingleKernel>(transA, transB, m, n, k, alpha, a, lda, b, ldb, beta, c, ldc, threads); break;
            case GemmKernelKind.Avx2: Pin<float, Avx2SingleKernel>(transA, transB, m, n, k, alpha, a, lda, b, ldb, beta, c, ldc, threads); break;
            default: Pin<float, PortableKernel<float>>(transA, transB, m, n, k, alpha, a, lda, b, ldb, beta, c, ldc, threads); break;
        }
    }

    /// <summary>Double-precision GEMM on up to <paramref name="threads"/> threads with a chosen kernel family.</summary>
    public static void Multiply(bool transA, bool transB, int m, int n, int k, double alpha, ReadOnlySpan<double> a, int lda,
        ReadOnlySpan<double> b, int ldb, double beta, Span<double> c, int ldc, int threads, GemmKernelKind kernel = GemmKernelKind.Auto)
    {
        Validate(transA, transB, m, n, k, a.Length, lda, b.Length, ldb, c.Length, ldc, threads, kernel);
        switch (Resolve(kernel))
        {
            case GemmKernelKind.Avx512: Pin<double, Avx512DoubleKernel>(transA, transB, m, n, k, alpha, a, lda, b, ldb, beta, c, ldc, threads); break;
            case GemmKernelKind.Avx2: Pin<double, Avx2DoubleKernel>(transA, transB, m, n, k, alpha, a, lda, b, ldb, beta, c, ldc, threads); break;
            default: Pin<double, PortableKernel<double>>(transA, transB, m, n, k, alpha, a, lda, b, ldb, beta, c, ldc, threads); break;
        }
    }

    /// <summary>GEMM for T = float or double on up to <paramref name="threads"/> threads with a chosen kernel family.</summary>
    public static void Multiply<T>(bool transA, bool transB, int m, int n, int k, T alpha, ReadOnlySpan<T> a, int lda,
        ReadOnlySpan<T> b, int ldb, T beta, Span<T> c, int ldc, int threads, GemmKernelKind kernel = GemmKernelKind.Auto)
        where T : unmanaged
    {
        if (typeof(T) == typeof(float))
        {
            Multiply(transA, transB, m, n, k, Unsafe.As<T, float>(ref alpha), MemoryMarshal.Cast<T, float>(a), lda,
                MemoryMarshal.Cast<T, float>(b), ldb, Unsafe.As<T, float>(ref beta), MemoryMarshal.Cast<T, float>(c), ldc, threads, kernel);
        }
        else if (typeof(T) == typeof(double))
        {
            Multiply(transA, transB, m, n, k, Unsafe.As<T, double>(ref alpha), MemoryMarshal.Cast<T, double>(a), lda,
                MemoryMarshal.Cast<T, double>(b), ldb, Unsafe.As<T, double>(ref beta), MemoryMarshal.Cast<T, double>(c), ldc, threads, kernel);
        }
        else
        {
            throw new NotSupportedException($"Gemm supports float and double, not {typeof(T).Name}.");
        }
    }

    private static GemmKernelKind Resolve(GemmKernelKind kernel) => kernel == GemmKernelKind.Auto ? DefaultKernel : kernel;

    private static void Validate(bool transA, bool transB, int m, int n, int k, int aLength, int lda, int bLength, int ldb,
        int cLength, int ldc, int threads, GemmKernelKind kernel)
    {
        if (m < 0) throw new ArgumentOutOfRangeException(nameof(m), m, "m must be >= 0");
        if (n < 0) throw new ArgumentOutOfRangeException(nameof(n), n, "n must be >= 0");
        if (k < 0) throw new ArgumentOutOfRangeException(nameof(k), k, "k must be >= 0");
        if (threads < 1) throw new ArgumentOutOfRangeException(nameof(threads), threads, "threads must be >= 1");
        if (!Enum.IsDefined(kernel)) throw new ArgumentOutOfRangeException(nameof(kernel), kernel, "unknown kernel kind");
        if (!IsSupported(kernel)) throw new NotSupportedException($"The {kernel} GEMM kernels cannot run on this machine.");
        ValidateMatrix("a", "lda", transA ? "A^T" : "A", transA ? k : m, transA ? m : k, lda, aLength);
        ValidateMatrix("b", "ldb", transB ? "B^T" : "B", transB ? n : k, transB ? k : n, ldb, bLength);
        ValidateMatrix("c", "ldc", "C", m, n, ldc, cLength);
    }

    /// <summary>Checks that a stored rows x cols row-major matrix with leading dimension ld fits in length elements.</summary>
    private static void ValidateMatrix(string name, string ldName, string stored, int rows, int cols, int ld, int length)
    {
        if (ld < cols || ld < 0)
        {
            throw new ArgumentException(
                $"{ldName} = {ld} is too small: {name} is stored as {rows}x{cols} ({stored} row-major), so {ldName} must be >= {cols}.",
                ldName);
        }

        long needed = rows == 0 || cols == 0 ? 0 : (long)(rows - 1) * ld + cols;
        if (length < needed)
        {
            throw new ArgumentException(
                $"{name} has {length} elements but a {rows}x{cols} matrix with {ldName} = {ld} needs at least {needed}.",
                name);
        }
    }

    private static unsafe void Pin<T, TKernel>(bool transA, bool transB, int m, int n, int k, T alpha, ReadOnlySpan<T> a, int lda,
        ReadOnlySpan<T> b, int ldb, T beta, Span<T> c, int ldc, int threads)
        where T : unmanaged, INumber<T>
        where TKernel : struct, IGemmMicroKernel<T>
    {
        if (m == 0 || n == 0) return;
        fixed (T* pa = a)
        fixed (T* pb = b)
        fixed (T* pc = c)
        {
            var operands = new GemmOperands<T>(transA, transB, m, n, k, alpha, pa, lda, pb, ldb, beta, pc, ldc);
            if (k == 0 || alpha == T.Zero)
                ScaleC(operands);
            else
                Execute<T, TKernel>(operands, threads);
        }
    }

    /// <summary>Splits C into one block of whole tiles per thread; each thread packs its own operands, so no
    /// synchronisation is needed beyond the final join.</summary>
    private static void Execute<T, TKernel>(GemmOperands<T> operands, int threads)
        where T : unmanaged, INumber<T>
        where TKernel : struct, IGemmMicroKernel<T>
    {
        long work = (long)operands.M * operands.N * operands.K;
        bool dotProducts = UseDotProducts(operands);
        // Split the larger of m and n: every thread re-packs the whole of the operand along the other one.
        // Dot products always split n, as their rows of C are few.
        bool splitRows = !dotProducts && operands.M >= operands.N;
        int granule = dotProducts ? 4 : splitRows ? TKernel.Mr : TKernel.Nr;
        int extent = splitRows ? operands.M : operands.N;
        int tiles = (extent + granule - 1) / granule;
        int parts = work < ParallelThreshold ? 1 : Math.Min(threads, tiles);
        if (parts == 1)
        {
            Run<T, TKernel>(operands, dotProducts);
            return;
        }

        RunInParallel<T, TKernel>(operands, dotProducts, splitRows, extent, (tiles + parts - 1) / parts * granule);
    }

    // Separate from Execute so that the closure is allocated only when the work really is split.
    private static void RunInParallel<T, TKernel>(GemmOperands<T> operands, bool dotProducts, bool splitRows, int extent, int chunk)
        where T : unmanaged, INumber<T>
        where TKernel : struct, IGemmMicroKernel<T>
    {
        int parts = (extent + chunk - 1) / chunk;
        Parallel.For(0, parts, new ParallelOptions { MaxDegreeOfParallelism = parts }, part =>
        {
            int start = part * chunk;
            int count = Math.Min(chunk, extent - start);
            Run<T, TKernel>(splitRows ? operands.Rows(start, count) : operands.Columns(start, count), dotProducts);
        });
    }

    private static void Run<T, TKernel>(in GemmOperands<T> operands, bool dotProducts)
        where T : unmanaged, INumber<T>
        where TKernel : struct, IGemmMicroKernel<T>
    {
        if (dotProducts)
            TKernel.DotProducts(operands);
        else
            GemmDriver<T, TKernel>.Run(operands);
    }

    /// <summary>Few rows times a transposed B: packing B would cost as much as the multiply itself.</summary>
    private static bool UseDotProducts<T>(in GemmOperands<T> operands) where T : unmanaged =>
        operands.TransB && operands.M <= DotProductMaxRows && operands.K >= DotProductMinDepth;

    /// <summary>C = beta * C (zero-filled when beta == 0, so NaNs in C do not survive).</summary>
    private static unsafe void ScaleC<T>(in GemmOperands<T> operands) where T : unmanaged, INumber<T>
    {
        for (int i = 0; i < operands.M; i++)
        {
            var row = new Span<T>(operands.C + i * operands.Ldc, operands.N);
            if (operands.Beta == T.Zero)
                row.Clear();
            else if (operands.Beta != T.One)
                ScaleRow(row, operands.Beta);
        }
    }

    private static void ScaleRow<T>(Span<T> row, T beta) where T : unmanaged, INumber<T>
    {
        int j = 0;
        if (Vector.IsHardwareAccelerated)
        {
            var vectors = MemoryMarshal.Cast<T, Vector<T>>(row);
            var betaV = new Vector<T>(beta);
            for (int v = 0; v < vectors.Length; v++) vectors[v] *= betaV;
            j = vectors.Length * Vector<T>.Count;
        }

        for (; j < row.Length; j++) row[j] *= beta;
    }
}
