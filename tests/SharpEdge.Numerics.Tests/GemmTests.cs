using System.Numerics;

namespace SharpEdge.Numerics.Tests;

public class GemmTests
{
    // (m, n, k): empty, single-element, odd sizes that are no multiple of any tile, k beyond one depth slice,
    // m beyond one row block, n beyond one column block, shapes large enough to run multithreaded (split by
    // rows, by columns), and few-row shapes that take the dot-product path when B is transposed (partial row and
    // column tiles included).
    private static readonly (int M, int N, int K)[] Shapes =
    [
        (0, 5, 3), (5, 0, 3), (4, 5, 0), (1, 1, 1), (1, 7, 13), (7, 1, 10), (13, 10, 7), (10, 13, 1),
        (33, 47, 65), (9, 130, 20), (70, 35, 300), (300, 20, 9), (3, 4200, 5), (130, 70, 260), (40, 200, 300),
        (7, 45, 70), (16, 150, 1000), (20, 30, 600), (11, 47, 100), (5, 4, 33),
    ];

    // (alpha, beta): plain overwrite of a NaN-filled C, accumulate, and a general scale of both.
    private static readonly (double Alpha, double Beta)[] Scalars = [(1, 0), (-0.5, 1), (1.5, -0.25)];

    public static TheoryData<GemmKernelKind, int> KernelsAndThreads()
    {
        var data = new TheoryData<GemmKernelKind, int>();
        foreach (var kernel in new[] { GemmKernelKind.Avx512, GemmKernelKind.Avx2, GemmKernelKind.Portable })
        {
            if (!Gemm.IsSupported(kernel)) continue;
            data.Add(kernel, 1);
            data.Add(kernel, 2);
        }

        return data;
    }

    [Theory]
    [MemberData(nameof(KernelsAndThreads))]
    public void SingleMatchesReference(GemmKernelKind kernel, int threads) => CheckAllCases<float>(kernel, threads, 1e-5);

    [Theory]
    [MemberData(nameof(KernelsAndThreads))]
    public void DoubleMatchesReference(GemmKernelKind kernel, int threads) => CheckAllCases<double>(kernel, threads, 1e-12);

    [Theory]
    [InlineData(false, true, 8, 512, 3072)]   // forward pass, small batch
    [InlineData(true, false, 512, 384, 8)]    // weight gradient, small batch
    [InlineData(false, false, 8, 384, 512)]   // input gradient, small batch
    public void EngineShapesMatchReference(bool transA, bool transB, int m, int n, int k)
    {
        var random = new Random(7);
        CheckCase<float>(random, GemmKernelKind.Auto, 2, transA, transB, m, n, k, [(1.0, 0.0)], 0, 1e-5);
        CheckCase<double>(random, GemmKernelKind.Auto, 2, transA, transB, m, n, k, [(1.0, 1.0)], 0, 1e-12);
    }

    [Fact]
    public void DefaultOverloadsComputeTheProduct()
    {
        var a = new float[] { 1, 2, 3, 4, 5, 6 };       // 2 x 3
        var b = new float[] { 1, 0, 0, 1, 1, 1 };       // 3 x 2
        var c = new float[4];
        Gemm.Multiply(false, false, 2, 2, 3, 1f, a, 3, b, 2, 0f, c, 2);
        Assert.Equal(new float[] { 4, 5, 10, 11 }, c);

        var cd = new double[4];
        Gemm.Multiply<double>(false, false, 2, 2, 3, 2.0, a.Select(x => (double)x).ToArray(), 3,
            b.Select(x => (double)x).ToArray(), 2, 0.0, cd, 2);
        Assert.Equal(new double[] { 8, 10, 20, 22 }, cd);
    }

    [Fact]
    public void ZeroDepthOrZeroAlphaScalesC()
    {
        var c = new[] { 1.0, double.NaN, 3.0, 4.0 };
        Gemm.Multiply(false, false, 2, 2, 0, 1.0, ReadOnlySpan<double>.Empty, 1, ReadOnlySpan<double>.Empty, 2, 0.0, c, 2);
        Assert.Equal(new double[] { 0, 0, 0, 0 }, c);

        var d = new[] { 1f, 2f, 3f, 4f };
        var a = new[] { float.NaN, 1f };
        Gemm.Multiply(false, false, 2, 2, 1, 0f, a, 1, new[] { 1f, 1f }, 2, 2f, d, 2);
        Assert.Equal(new[] { 2f, 4f, 6f, 8f }, d);
    }

    [Theory]
    [InlineData(false, false, 64, 96, 80)]    // packed path
    [InlineData(false, true, 8, 96, 80)]      // dot-product path
    public void SingleThreadedCallsDoNotAllocate(bool transA, bool transB, int m, int n, int k)
    {
        var a = new float[m * k];
        var b = new float[k * n];
        var c = new float[m * n];
        int lda = transA ? m : k, ldb = transB ? k : n;
        Gemm.Multiply(transA, transB, m, n, k, 1f, a, lda, b, ldb, 0f, c, n, 1); // grows this thread's buffers
        long before = GC.GetAllocatedBytesForCurrentThread();
        Gemm.Multiply(transA, transB, m, n, k, 1f, a, lda, b, ldb, 0f, c, n, 1);
        Assert.Equal(before, GC.GetAllocatedBytesForCurrentThread());
    }

    [Fact]
    public void UnsupportedElementTypeThrows()
    {
        var data = new int[4];
        Assert.Throws<NotSupportedException>(() => Gemm.Multiply<int>(false, false, 2, 2, 1, 1, data, 1, data, 2, 0, data, 2));
    }

    [Fact]
    public void InvalidArgumentsNameTheArgument()
    {
        var a = new float[6];
        var b = new float[6];
        var c = new float[4];
        Assert.Equal("m", Assert.ThrowsAny<ArgumentException>(() => Gemm.Multiply(false, false, -1, 2, 3, 1f, a, 3, b, 2, 0f, c, 2)).ParamName);
        Assert.Equal("k", Assert.ThrowsAny<ArgumentException>(() => Gemm.Multiply(false, false, 2, 2, -3, 1f, a, 3, b, 2, 0f, c, 2)).ParamName);
        Assert.Equal("lda", Assert.Throws<ArgumentException>(() => Gemm.Multiply(false, false, 2, 2, 3, 1f, a, 2, b, 2, 0f, c, 2)).ParamName);
        Assert.Equal("lda", Assert.Throws<ArgumentException>(() => Gemm.Multiply(true, false, 2, 2, 3, 1f, a, 1, b, 2, 0f, c, 2)).ParamName);
        Assert.Equal("ldb", Assert.Throws<ArgumentException>(() => Gemm.Multiply(false, true, 2, 2, 3, 1f, a, 3, b, 2, 0f, c, 2)).ParamName);
        Assert.Equal("ldc", Assert.Throws<ArgumentException>(() => Gemm.Multiply(false, false, 2, 2, 3, 1f, a, 3, b, 2, 0f, c, 1)).ParamName);
        var tooShort = Assert.Throws<ArgumentException>(() => Gemm.Multiply(false, false, 2, 2, 3, 1f, a.AsSpan(0, 5), 3, b, 2, 0f, c, 2));
        Assert.Equal("a", tooShort.ParamName);
        Assert.Contains("needs at least 6", tooShort.Message);
        Assert.Equal("b", Assert.Throws<ArgumentException>(() => Gemm.Multiply(false, false, 2, 2, 3, 1f, a, 3, b.AsSpan(0, 5), 2, 0f, c, 2)).ParamName);
        Assert.Equal("c", Assert.Throws<ArgumentException>(() => Gemm.Multiply(false, false, 2, 2, 3, 1f, a, 3, b, 2, 0f, c.AsSpan(0, 3), 2)).ParamName);
        Assert.Equal("threads", Assert.ThrowsAny<ArgumentException>(() => Gemm.Multiply(false, false, 2, 2, 3, 1f, a, 3, b, 2, 0f, c, 2, 0)).ParamName);
    }

    private static void CheckAllCases<T>(GemmKernelKind kernel, int threads, double tolerance)
        where T : unmanaged, IFloatingPoint<T>
    {
        var random = new Random(12345);
        foreach (var (m, n, k) in Shapes)
        foreach (var transA in new[] { false, true })
        foreach (var transB in new[] { false, true })
        foreach (var padding in new[] { 0, 3 })
        {
            CheckCase<T>(random, kernel, threads, transA, transB, m, n, k, Scalars, padding, tolerance);
        }
    }

    /// <summary>Runs GEMMs on one random problem for each (alpha, beta) and compares them with a triple loop
    /// accumulated in double. The error is measured against |alpha| |op(A)| |op(B)| + |beta| |C| (what
    /// floating-point error scales with), in Frobenius norm; beta == 0 runs start from a NaN-filled C.</summary>
    private static void CheckCase<T>(Random random, GemmKernelKind kernel, int threads, bool transA, bool transB,
        int m, int n, int k, (double Alpha, double Beta)[] scalars, int padding, double tolerance)
        where T : unmanaged, IFloatingPoint<T>
    {
        int aRows = transA ? k : m, aCols = transA ? m : k;
        int bRows = transB ? n : k, bCols = transB ? k : n;
        int lda = aCols + padding, ldb = bCols + padding, ldc = n + padding;
        var a = RandomMatrix<T>(random, aRows, lda);
        var b = RandomMatrix<T>(random, bRows, ldb);
        var initialC = RandomMatrix<T>(random, m, ldc);

        // op(A) and op(B) in double, row-major and dense, so the reference loops are plain.
        var opA = new double[m * k];
        var opB = new double[k * n];
        for (int i = 0; i < m; i++)
            for (int p = 0; p < k; p++)
                opA[i * k + p] = double.CreateChecked(transA ? a[p * lda + i] : a[i * lda + p]);
        for (int p = 0; p < k; p++)
            for (int j = 0; j < n; j++)
                opB[p * n + j] = double.CreateChecked(transB ? b[j * ldb + p] : b[p * ldb + j]);
        var product = new double[m * n];
        var magnitude = new double[m * n];
        for (int i = 0; i < m; i++)
        {
            for (int p = 0; p < k; p++)
            {
                double x = opA[i * k + p];
                for (int j = 0; j < n; j++)
                {
                    product[i * n + j] += x * opB[p * n + j];
                    magnitude[i * n + j] += Math.Abs(x * opB[p * n + j]);
                }
            }
        }

        foreach (var (alphaD, betaD) in scalars)
        {
            T alpha = T.CreateChecked(alphaD), beta = T.CreateChecked(betaD);
            var c = (T[])initialC.Clone();
            if (betaD == 0) Array.Fill(c, T.CreateChecked(double.NaN));
            var original = (T[])c.Clone();

            Gemm.Multiply<T>(transA, transB, m, n, k, alpha, a, lda, b, ldb, beta, c, ldc, threads, kernel);

            double errorSquared = 0, scaleSquared = 0;
            for (int i = 0; i < m; i++)
            {
                for (int j = 0; j < n; j++)
                {
                    double old = betaD == 0 ? 0 : double.CreateChecked(original[i * ldc + j]);
                    double expected = alphaD * product[i * n + j] + betaD * old;
                    double actual = double.CreateChecked(c[i * ldc + j]);
                    errorSquared += (actual - expected) * (actual - expected);
                    double scale = Math.Abs(alphaD) * magnitude[i * n + j] + Math.Abs(betaD * old);
                    scaleSquared += scale * scale;
                }
            }

            double relative = Math.Sqrt(errorSquared) / Math.Max(Math.Sqrt(scaleSquared), double.Epsilon);
            Assert.True(relative <= tolerance,
                $"{typeof(T).Name} kernel={kernel} threads={threads} transA={transA} transB={transB} m={m} n={n} k={k} " +
                $"alpha={alpha} beta={beta} padding={padding}: relative error {relative:E2} > {tolerance:E0}");

            // Padding between rows must be left untouched.
            for (int i = 0; i < m; i++)
                for (int j = n; j < ldc; j++)
                    Assert.True(c[i * ldc + j].Equals(original[i * ldc + j]), $"padding of C modified at ({i},{j})");
        }
    }

    private static T[] RandomMatrix<T>(Random random, int rows, int ld) where T : unmanaged, IFloatingPoint<T>
    {
        var values = new T[rows * ld];
        for (int i = 0; i < values.Length; i++) values[i] = T.CreateChecked(random.NextDouble() * 2 - 1);
        return values;
    }
}
