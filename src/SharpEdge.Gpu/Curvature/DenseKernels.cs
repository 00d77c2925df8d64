using ILGPU;

namespace SharpEdge.Gpu.Curvature;

/// <summary>Sizes of one <see cref="DenseKernels{TOps}.Gemm"/>: C (M×N) = α op(A) op(B) + β C, op(A) M×K, op(B) K×N, row-major.</summary>
internal struct GemmShape
{
    public int M, N, K, Lda, Ldb, Ldc;

    /// <summary>1: A is stored K×M (op(A) = Aᵀ); likewise B stored N×K.</summary>
    public int TransposeA, TransposeB;

    /// <summary>Side of the square thread block and of the shared-memory tiles.</summary>
    public int Tile;

    public double Alpha, Beta;
}

/// <summary>
/// The kernels of <see cref="DeviceMlp"/>: a tiled GEMM and the element-wise passes of activations and their first
/// and second derivatives. Activation codes: 0 identity, 1 ReLU, 2 tanh (the CPU layers' definitions: σ' of ReLU is
/// 1 for x &gt; 0, of tanh 1 − y², σ'' of tanh −2y(1 − y²)).
/// </summary>
internal static class DenseKernels<TOps> where TOps : struct, IFloatOps
{
    public const int Identity = 0, Relu = 1, Tanh = 2;

    /// <summary>
    /// One thread per element of C; op(A) and op(B) pass through shared memory a Tile×Tile block at a time. A
    /// reference implementation (what cuBLAS would replace), correct for any shape and either transpose.
    /// </summary>
    public static void Gemm(GemmShape s, ArrayView<double> a, ArrayView<double> b, ArrayView<double> c)
    {
        var tiles = SharedMemory.GetDynamic<double>();
        int t = s.Tile, tx = Group.IdxX, ty = Group.IdxY;
        int row = Grid.IdxY * t + ty, column = Grid.IdxX * t + tx;
        int second = t * t;
        double sum = 0.0;
        for (int k0 = 0; k0 < s.K; k0 += t)
        {
            int ka = k0 + tx, kb = k0 + ty;
            double fromA = 0.0, fromB = 0.0;
            if (row < s.M && ka < s.K) fromA = s.TransposeA != 0 ? a[(long)ka * s.Lda + row] : a[(long)row * s.Lda + ka];
            if (kb < s.K && column < s.N) fromB = s.TransposeB != 0 ? b[(long)column * s.Ldb + kb] : b[(long)kb * s.Ldb + column];
            tiles[ty * t + tx] = fromA;
            tiles[second + ty * t + tx] = fromB;
            Group.Barrier();
            for (int kk = 0; kk < t; kk++) sum = default(TOps).Fma(tiles[ty * t + kk], tiles[second + kk * t + tx], sum);
            Group.Barrier();
        }
        if (row < s.M && column < s.N)
        {
            long at = (long)row * s.Ldc + column;
            // β = 0 never reads C, which may hold anything.
            c[at] = s.Beta == 0.0 ? s.Alpha * sum : s.Alpha * sum + s.Beta * c[at];
        }
    }

    /// <summary>y[i, j] += bias[j] for a row-major matrix of <paramref name="columns"/> columns.</summary>
    public static void AddRowVector(Index1D i, ArrayView<double> y, ArrayView<double> bias, int columns) => y[i] += bias[i % columns];

    /// <summary>sums[j] = Σ_i m[i, j] over <paramref name="rows"/> rows (the bias gradient), in row order.</summary>
    public static void ColumnSums(Index1D j, ArrayView<double> m, int rows, int columns, ArrayView<double> sums)
    {
        double sum = 0.0;
        for (int i = 0; i < rows; i++) sum += m[(long)i * columns + j];
        sums[j] = sum;
    }

    /// <summary>y = σ(x).</summary>
    public static void Activate(Index1D i, ArrayView<double> x, ArrayView<double> y, int kind, ulong zero) => y[i] = Value(kind, x[i], zero);

    /// <summary>out = g ⊙ σ'(x): the backward pass (g = dy) and the R-forward pass (g = R{x}).</summary>
    public static void TimesSlope(Index1D i, ArrayView<double> x, ArrayView<double> y, ArrayView<double> g, ArrayView<double> result, int kind) =>
        result[i] = g[i] * Slope(kind, x[i], y[i]);

    /// <summary>R{dx} = R{dy} ⊙ σ'(x) + dy ⊙ σ''(x) ⊙ R{x}.</summary>
    public static void RBackward(Index1D i, ArrayView<double> x, ArrayView<double> y, ArrayView<double> rx, ArrayView<double> dy,
        ArrayView<double> rdy, ArrayView<double> rdx, int kind) =>
        rdx[i] = rdy[i] * Slope(kind, x[i], y[i]) + dy[i] * Curvature(kind, y[i]) * rx[i];

    private static double Value(int kind, double x, ulong zero) => kind switch
    {
        Relu => x > 0.0 ? x : 0.0,
        Tanh => KernelMath<TOps>.Tanh(x, zero),
        _ => x,
    };

    private static double Slope(int kind, double x, double y) => kind switch
    {
        Relu => x > 0.0 ? 1.0 : 0.0,
        Tanh => 1.0 - y * y,
        _ => 1.0,
    };

    private static double Curvature(int kind, double y) => kind == Tanh ? -(y + y) * (1.0 - y * y) : 0.0;
}
