using System.Numerics;
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

/// <summary>The activation that follows a Linear layer, as the kernels take it.</summary>
internal static class DenseActivation
{
    public const int Identity = 0, Relu = 1, Tanh = 2;
}

/// <summary>Conversions between the engine's scalar T and float64 inside kernels (ILGPU compiles no generic-math conversions).</summary>
internal interface IDeviceScalar<T>
{
    T FromDouble(double x);
    double ToDouble(T x);
}

internal readonly struct Float32Scalar : IDeviceScalar<float>
{
    public float FromDouble(double x) => (float)x;
    public double ToDouble(float x) => x;
}

internal readonly struct Float64Scalar : IDeviceScalar<double>
{
    public double FromDouble(double x) => x;
    public double ToDouble(double x) => x;
}

/// <summary>
/// The kernels of <see cref="DeviceMlp{T}"/> over T = float or double: a tiled GEMM (where cuBLAS is not used) and the
/// element-wise passes of activations and their first and second derivatives, as the CPU layers define them
/// (<see cref="DenseActivation"/>): σ' of ReLU is 1 for x &gt; 0, of tanh 1 − y², σ'' of tanh −2y(1 − y²); tanh
/// itself is evaluated in float64 and rounded to T.
/// </summary>
internal static class DenseKernels<T, TScalar, TOps>
    where T : unmanaged, IFloatingPointIeee754<T>
    where TScalar : struct, IDeviceScalar<T>
    where TOps : struct, IFloatOps
{
    /// <summary>
    /// One thread per element of C; op(A) and op(B) pass through shared memory a Tile×Tile block at a time. A
    /// reference implementation (what cuBLAS would replace), correct for any shape and either transpose.
    /// </summary>
    public static void Gemm(GemmShape s, ArrayView<T> a, ArrayView<T> b, ArrayView<T> c)
    {
        var tiles = SharedMemory.GetDynamic<T>();
        int t = s.Tile, tx = Group.IdxX, ty = Group.IdxY;
        int row = Grid.IdxY * t + ty, column = Grid.IdxX * t + tx;
        int second = t * t;
        T sum = T.Zero;
        for (int k0 = 0; k0 < s.K; k0 += t)
        {
            int ka = k0 + tx, kb = k0 + ty;
            T fromA = T.Zero, fromB = T.Zero;
            if (row < s.M && ka < s.K) fromA = s.TransposeA != 0 ? a[(long)ka * s.Lda + row] : a[(long)row * s.Lda + ka];
            if (kb < s.K && column < s.N) fromB = s.TransposeB != 0 ? b[(long)column * s.Ldb + kb] : b[(long)kb * s.Ldb + column];
            tiles[ty * t + tx] = fromA;
            tiles[second + ty * t + tx] = fromB;
            Group.Barrier();
            for (int kk = 0; kk < t; kk++) sum += tiles[ty * t + kk] * tiles[second + kk * t + tx];
            Group.Barrier();
        }
        if (row < s.M && column < s.N)
        {
            long at = (long)row * s.Ldc + column;
            // β = 0 never reads C, which may hold anything.
            T alpha = default(TScalar).FromDouble(s.Alpha);
            c[at] = s.Beta == 0.0 ? alpha * sum : alpha * sum + default(TScalar).FromDouble(s.Beta) * c[at];
        }
    }

    /// <summary>
    /// The forward pass after a layer's GEMM, one launch: z[i, j] += bias[j] (rows of <paramref name="columns"/>; none
    /// when it is 0), then a = σ(z) (a may be z itself for the identity).
    /// </summary>
    public static void BiasActivate(Index1D i, ArrayView<T> z, ArrayView<T> bias, int columns, ArrayView<T> a, int kind, ulong zero)
    {
        T value = z[i];
        if (columns > 0)
        {
            value += bias[i % columns];
            z[i] = value;
        }
        a[i] = Value(kind, value, zero);
    }

    /// <summary>
    /// out = (g + bias) ⊙ σ'(x), one launch, g updated to g + bias (rows of <paramref name="columns"/>; no bias when it
    /// is 0): the R-forward pass (g = R{z}, bias = v_b, out = R{a}) and the backward pass (g = da, out = dz).
    /// </summary>
    public static void BiasTimesSlope(Index1D i, ArrayView<T> g, ArrayView<T> bias, int columns, ArrayView<T> x, ArrayView<T> y, ArrayView<T> result, int kind)
    {
        T value = g[i];
        if (columns > 0)
        {
            value += bias[i % columns];
            g[i] = value;
        }
        result[i] = value * Slope(kind, x[i], y[i]);
    }

    /// <summary>R{dx} = R{dy} ⊙ σ'(x) + dy ⊙ σ''(x) ⊙ R{x}.</summary>
    public static void RBackward(Index1D i, ArrayView<T> x, ArrayView<T> y, ArrayView<T> rx, ArrayView<T> dy,
        ArrayView<T> rdy, ArrayView<T> rdx, int kind) =>
        rdx[i] = rdy[i] * Slope(kind, x[i], y[i]) + dy[i] * Curvature(kind, y[i]) * rx[i];

    /// <summary>
    /// Thread t of <paramref name="threads"/> sums a_i·b_i and a_i² over i ≡ t (mod threads) in float64 into
    /// partials[t] and partials[threads + t]; the host adds the partials in order, so the dot products are the same
    /// on every run (no atomics) and only 2·threads values cross instead of two parameter vectors.
    /// </summary>
    public static void DotPartials(Index1D thread, ArrayView<T> a, ArrayView<T> b, int threads, ArrayView<double> partials)
    {
        double ab = 0.0, aa = 0.0;
        for (long i = thread; i < a.Length; i += threads)
        {
            double x = default(TScalar).ToDouble(a[i]);
            ab += x * default(TScalar).ToDouble(b[i]);
            aa += x * x;
        }
        partials[thread] = ab;
        partials[threads + thread] = aa;
    }

    private static T Value(int kind, T x, ulong zero) => kind switch
    {
        DenseActivation.Relu => x > T.Zero ? x : T.Zero,
        DenseActivation.Tanh => default(TScalar).FromDouble(KernelMath<TOps>.Tanh(default(TScalar).ToDouble(x), zero)),
        _ => x,
    };

    private static T Slope(int kind, T x, T y) => kind switch
    {
        DenseActivation.Relu => x > T.Zero ? T.One : T.Zero,
        DenseActivation.Tanh => T.One - y * y,
        _ => T.One,
    };

    private static T Curvature(int kind, T y) => kind == DenseActivation.Tanh ? -(y + y) * (T.One - y * y) : T.Zero;
}
