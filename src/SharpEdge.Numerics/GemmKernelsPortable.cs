using System.Numerics;
using System.Runtime.CompilerServices;

namespace SharpEdge.Numerics;

/// <summary>
/// 4 x (2 * Vector&lt;T&gt;.Count) tile built on <see cref="Vector{T}"/>: the fallback where AVX2/FMA is absent
/// (or when a caller asks for it). Eight accumulators fit the 16 vector registers of SSE and NEON.
/// </summary>
internal readonly unsafe struct PortableKernel<T> : IGemmMicroKernel<T> where T : unmanaged, INumber<T>
{
    public static int Mr => 4;
    public static int Nr => 2 * Vector<T>.Count;
    public static int Mc => 128;
    public static int Kc => 256;
    public static int Nc => 2048;
    public static bool VectorizedPacking => false;
    public static bool IsSupported => true;

    public static void DotProducts(in GemmOperands<T> operands) => GemmDot<T, SimdPortable<T>, Vector<T>>.Run(operands);

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void Compute(int kc, T* a, T* b, nint bStride, T* c, nint ldc, T alpha, T beta)
    {
        int lanes = Vector<T>.Count;
        Vector<T> c00 = default, c01 = default;
        Vector<T> c10 = default, c11 = default;
        Vector<T> c20 = default, c21 = default;
        Vector<T> c30 = default, c31 = default;
        for (int p = 0; p < kc; p++)
        {
            var b0 = Vector.Load(b);
            var b1 = Vector.Load(b + lanes);
            var a0 = new Vector<T>(a[0]);
            c00 += a0 * b0;
            c01 += a0 * b1;
            var a1 = new Vector<T>(a[1]);
            c10 += a1 * b0;
            c11 += a1 * b1;
            var a2 = new Vector<T>(a[2]);
            c20 += a2 * b0;
            c21 += a2 * b1;
            var a3 = new Vector<T>(a[3]);
            c30 += a3 * b0;
            c31 += a3 * b1;
            a += 4;
            b += bStride;
        }

        var mode = beta == T.Zero ? BetaMode.Overwrite : beta == T.One ? BetaMode.Accumulate : BetaMode.Scale;
        UpdateRow(c, c00, c01, alpha, beta, mode);
        UpdateRow(c + ldc, c10, c11, alpha, beta, mode);
        UpdateRow(c + 2 * ldc, c20, c21, alpha, beta, mode);
        UpdateRow(c + 3 * ldc, c30, c31, alpha, beta, mode);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void UpdateRow(T* c, Vector<T> sum0, Vector<T> sum1, T alpha, T beta, BetaMode mode)
    {
        int lanes = Vector<T>.Count;
        var alphaV = new Vector<T>(alpha);
        if (mode == BetaMode.Overwrite)
        {
            Vector.Store(sum0 * alphaV, c);
            Vector.Store(sum1 * alphaV, c + lanes);
        }
        else if (mode == BetaMode.Accumulate)
        {
            Vector.Store(sum0 * alphaV + Vector.Load(c), c);
            Vector.Store(sum1 * alphaV + Vector.Load(c + lanes), c + lanes);
        }
        else
        {
            var betaV = new Vector<T>(beta);
            Vector.Store(sum0 * alphaV + Vector.Load(c) * betaV, c);
            Vector.Store(sum1 * alphaV + Vector.Load(c + lanes) * betaV, c + lanes);
        }
    }
}
