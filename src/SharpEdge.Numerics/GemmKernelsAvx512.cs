// The micro-kernels are written out in full: the JIT keeps each accumulator in its own register
// only when every accumulator is a separate local.
using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace SharpEdge.Numerics;

/// <summary>8x32 float tile: 16 Vector512 accumulators, B rows as two vectors, A values broadcast.</summary>
internal readonly unsafe struct Avx512SingleKernel : IGemmMicroKernel<float>
{
    public static int Mr => 8;
    public static int Nr => 32;
    // Tuned on Zen 5 (48 KiB L1, 1 MiB L2): a deep Kc amortises the C update; the 64 KiB B micro-panel streams from L2.
    public static int Mc => 128;
    public static int Kc => 512;
    public static int Nc => 4096;
    public static bool VectorizedPacking => true;
    public static bool IsSupported => Avx512F.IsSupported && Vector512.IsHardwareAccelerated;

    public static void DotProducts(in GemmOperands<float> operands) => GemmDot<float, Simd512<float>, Vector512<float>>.Run(operands);

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void Compute(int kc, float* a, float* b, nint bStride, float* c, nint ldc, float alpha, float beta)
    {
        Vector512<float> c00 = default, c01 = default;
        Vector512<float> c10 = default, c11 = default;
        Vector512<float> c20 = default, c21 = default;
        Vector512<float> c30 = default, c31 = default;
        Vector512<float> c40 = default, c41 = default;
        Vector512<float> c50 = default, c51 = default;
        Vector512<float> c60 = default, c61 = default;
        Vector512<float> c70 = default, c71 = default;
        for (int p = 0; p < kc; p++)
        {
            var b0 = Vector512.Load(b);
            var b1 = Vector512.Load(b + 16);
            var a0 = Vector512.Create(a[0]);
            c00 = Avx512F.FusedMultiplyAdd(a0, b0, c00);
            c01 = Avx512F.FusedMultiplyAdd(a0, b1, c01);
            var a1 = Vector512.Create(a[1]);
            c10 = Avx512F.FusedMultiplyAdd(a1, b0, c10);
            c11 = Avx512F.FusedMultiplyAdd(a1, b1, c11);
            var a2 = Vector512.Create(a[2]);
            c20 = Avx512F.FusedMultiplyAdd(a2, b0, c20);
            c21 = Avx512F.FusedMultiplyAdd(a2, b1, c21);
            var a3 = Vector512.Create(a[3]);
            c30 = Avx512F.FusedMultiplyAdd(a3, b0, c30);
            c31 = Avx512F.FusedMultiplyAdd(a3, b1, c31);
            var a4 = Vector512.Create(a[4]);
            c40 = Avx512F.FusedMultiplyAdd(a4, b0, c40);
            c41 = Avx512F.FusedMultiplyAdd(a4, b1, c41);
            var a5 = Vector512.Create(a[5]);
            c50 = Avx512F.FusedMultiplyAdd(a5, b0, c50);
            c51 = Avx512F.FusedMultiplyAdd(a5, b1, c51);
            var a6 = Vector512.Create(a[6]);
            c60 = Avx512F.FusedMultiplyAdd(a6, b0, c60);
            c61 = Avx512F.FusedMultiplyAdd(a6, b1, c61);
            var a7 = Vector512.Create(a[7]);
            c70 = Avx512F.FusedMultiplyAdd(a7, b0, c70);
            c71 = Avx512F.FusedMultiplyAdd(a7, b1, c71);
            a += 8;
            b += bStride;
        }

        var alphaV = Vector512.Create(alpha);
        var betaV = Vector512.Create(beta);
        var mode = beta == 0 ? BetaMode.Overwrite : beta == 1 ? BetaMode.Accumulate : BetaMode.Scale;
        UpdateRow(c, c00, c01, alphaV, betaV, mode);
        UpdateRow(c + ldc, c10, c11, alphaV, betaV, mode);
        UpdateRow(c + 2 * ldc, c20, c21, alphaV, betaV, mode);
        UpdateRow(c + 3 * ldc, c30, c31, alphaV, betaV, mode);
        UpdateRow(c + 4 * ldc, c40, c41, alphaV, betaV, mode);
        UpdateRow(c + 5 * ldc, c50, c51, alphaV, betaV, mode);
        UpdateRow(c + 6 * ldc, c60, c61, alphaV, betaV, mode);
        UpdateRow(c + 7 * ldc, c70, c71, alphaV, betaV, mode);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void UpdateRow(float* c, Vector512<float> sum0, Vector512<float> sum1, Vector512<float> alphaV, Vector512<float> betaV, BetaMode mode)
    {
        if (mode == BetaMode.Overwrite)
        {
            Vector512.Store(sum0 * alphaV, c);
            Vector512.Store(sum1 * alphaV, c + 16);
        }
        else if (mode == BetaMode.Accumulate)
        {
            Vector512.Store(Avx512F.FusedMultiplyAdd(sum0, alphaV, Vector512.Load(c)), c);
            Vector512.Store(Avx512F.FusedMultiplyAdd(sum1, alphaV, Vector512.Load(c + 16)), c + 16);
        }
        else
        {
            Vector512.Store(Avx512F.FusedMultiplyAdd(sum0, alphaV, Vector512.Load(c) * betaV), c);
            Vector512.Store(Avx512F.FusedMultiplyAdd(sum1, alphaV, Vector512.Load(c + 16) * betaV), c + 16);
        }
    }
}

/// <summary>8x16 double tile: 16 Vector512 accumulators, B rows as two vectors, A values broadcast.</summary>
internal readonly unsafe struct Avx512DoubleKernel : IGemmMicroKernel<double>
{
    public static int Mr => 8;
    public static int Nr => 16;
    // Tuned on Zen 5 (48 KiB L1, 1 MiB L2): a deep Kc amortises the C update; the 64 KiB B micro-panel streams from L2.
    public static int Mc => 96;
    public static int Kc => 512;
    public static int Nc => 2048;
    public static bool VectorizedPacking => true;
    public static bool IsSupported => Avx512F.IsSupported && Vector512.IsHardwareAccelerated;

    public static void DotProducts(in GemmOperands<double> operands) => GemmDot<double, Simd512<double>, Vector512<double>>.Run(operands);

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void Compute(int kc, double* a, double* b, nint bStride, double* c, nint ldc, double alpha, double beta)
    {
        Vector512<double> c00 = default, c01 = default;
        Vector512<double> c10 = default, c11 = default;
        Vector512<double> c20 = default, c21 = default;
        Vector512<double> c30 = default, c31 = default;
        Vector512<double> c40 = default, c41 = default;
        Vector512<double> c50 = default, c51 = default;
        Vector512<double> c60 = default, c61 = default;
        Vector512<double> c70 = default, c71 = default;
        for (int p = 0; p < kc; p++)
        {
            var b0 = Vector512.Load(b);
            var b1 = Vector512.Load(b + 8);
            var a0 = Vector512.Create(a[0]);
            c00 = Avx512F.FusedMultiplyAdd(a0, b0, c00);
            c01 = Avx512F.FusedMultiplyAdd(a0, b1, c01);
            var a1 = Vector512.Create(a[1]);
            c10 = Avx512F.FusedMultiplyAdd(a1, b0, c10);
            c11 = Avx512F.FusedMultiplyAdd(a1, b1, c11);
            var a2 = Vector512.Create(a[2]);
            c20 = Avx512F.FusedMultiplyAdd(a2, b0, c20);
            c21 = Avx512F.FusedMultiplyAdd(a2, b1, c21);
            var a3 = Vector512.Create(a[3]);
            c30 = Avx512F.FusedMultiplyAdd(a3, b0, c30);
            c31 = Avx512F.FusedMultiplyAdd(a3, b1, c31);
            var a4 = Vector512.Create(a[4]);
            c40 = Avx512F.FusedMultiplyAdd(a4, b0, c40);
            c41 = Avx512F.FusedMultiplyAdd(a4, b1, c41);
            var a5 = Vector512.Create(a[5]);
            c50 = Avx512F.FusedMultiplyAdd(a5, b0, c50);
            c51 = Avx512F.FusedMultiplyAdd(a5, b1, c51);
            var a6 = Vector512.Create(a[6]);
            c60 = Avx512F.FusedMultiplyAdd(a6, b0, c60);
            c61 = Avx512F.FusedMultiplyAdd(a6, b1, c61);
            var a7 = Vector512.Create(a[7]);
            c70 = Avx512F.FusedMultiplyAdd(a7, b0, c70);
            c71 = Avx512F.FusedMultiplyAdd(a7, b1, c71);
            a += 8;
            b += bStride;
        }

        var alphaV = Vector512.Create(alpha);
        var betaV = Vector512.Create(beta);
        var mode = beta == 0 ? BetaMode.Overwrite : beta == 1 ? BetaMode.Accumulate : BetaMode.Scale;
        UpdateRow(c, c00, c01, alphaV, betaV, mode);
        UpdateRow(c + ldc, c10, c11, alphaV, betaV, mode);
        UpdateRow(c + 2 * ldc, c20, c21, alphaV, betaV, mode);
        UpdateRow(c + 3 * ldc, c30, c31, alphaV, betaV, mode);
        UpdateRow(c + 4 * ldc, c40, c41, alphaV, betaV, mode);
        UpdateRow(c + 5 * ldc, c50, c51, alphaV, betaV, mode);
        UpdateRow(c + 6 * ldc, c60, c61, alphaV, betaV, mode);
        UpdateRow(c + 7 * ldc, c70, c71, alphaV, betaV, mode);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void UpdateRow(double* c, Vector512<double> sum0, Vector512<double> sum1, Vector512<double> alphaV, Vector512<double> betaV, BetaMode mode)
    {
        if (mode == BetaMode.Overwrite)
        {
            Vector512.Store(sum0 * alphaV, c);
            Vector512.Store(sum1 * alphaV, c + 8);
        }
        else if (mode == BetaMode.Accumulate)
        {
            Vector512.Store(Avx512F.FusedMultiplyAdd(sum0, alphaV, Vector512.Load(c)), c);
            Vector512.Store(Avx512F.FusedMultiplyAdd(sum1, alphaV, Vector512.Load(c + 8)), c + 8);
        }
        else
        {
            Vector512.Store(Avx512F.FusedMultiplyAdd(sum0, alphaV, Vector512.Load(c) * betaV), c);
            Vector512.Store(Avx512F.FusedMultiplyAdd(sum1, alphaV, Vector512.Load(c + 8) * betaV), c + 8);
        }
    }
}
