// The micro-kernels are written out in full: the JIT keeps each accumulator in its own register
// only when every accumulator is a separate local.
using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace SharpEdge.Numerics;

/// <summary>6x16 float tile: 12 Vector256 accumulators, B rows as two vectors, A values broadcast.</summary>
internal readonly unsafe struct Avx2SingleKernel : IGemmMicroKernel<float>
{
    public static int Mr => 6;
    public static int Nr => 16;
    // Sizes of the Zen 3 prototype: the Kc x Nr B micro-panel fits a 32 KiB L1, the Mc x Kc A block a 512 KiB L2.
    public static int Mc => 96;
    public static int Kc => 256;
    public static int Nc => 4096;
    public static bool VectorizedPacking => true;
    public static bool IsSupported => Avx2.IsSupported && Fma.IsSupported;

    public static void DotProducts(in GemmOperands<float> operands) => GemmDot<float, Simd256<float>, Vector256<float>>.Run(operands);

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void Compute(int kc, float* a, float* b, nint bStride, float* c, nint ldc, float alpha, float beta)
    {
        Vector256<float> c00 = default, c01 = default;
        Vector256<float> c10 = default, c11 = default;
        Vector256<float> c20 = default, c21 = default;
        Vector256<float> c30 = default, c31 = default;
        Vector256<float> c40 = default, c41 = default;
        Vector256<float> c50 = default, c51 = default;
        for (int p = 0; p < kc; p++)
        {
            var b0 = Vector256.Load(b);
            var b1 = Vector256.Load(b + 8);
            var a0 = Vector256.Create(a[0]);
            c00 = Fma.MultiplyAdd(a0, b0, c00);
            c01 = Fma.MultiplyAdd(a0, b1, c01);
            var a1 = Vector256.Create(a[1]);
            c10 = Fma.MultiplyAdd(a1, b0, c10);
            c11 = Fma.MultiplyAdd(a1, b1, c11);
            var a2 = Vector256.Create(a[2]);
            c20 = Fma.MultiplyAdd(a2, b0, c20);
            c21 = Fma.MultiplyAdd(a2, b1, c21);
            var a3 = Vector256.Create(a[3]);
            c30 = Fma.MultiplyAdd(a3, b0, c30);
            c31 = Fma.MultiplyAdd(a3, b1, c31);
            var a4 = Vector256.Create(a[4]);
            c40 = Fma.MultiplyAdd(a4, b0, c40);
            c41 = Fma.MultiplyAdd(a4, b1, c41);
            var a5 = Vector256.Create(a[5]);
            c50 = Fma.MultiplyAdd(a5, b0, c50);
            c51 = Fma.MultiplyAdd(a5, b1, c51);
            a += 6;
            b += bStride;
        }

        var alphaV = Vector256.Create(alpha);
        var betaV = Vector256.Create(beta);
        var mode = beta == 0 ? BetaMode.Overwrite : beta == 1 ? BetaMode.Accumulate : BetaMode.Scale;
        UpdateRow(c, c00, c01, alphaV, betaV, mode);
        UpdateRow(c + ldc, c10, c11, alphaV, betaV, mode);
        UpdateRow(c + 2 * ldc, c20, c21, alphaV, betaV, mode);
        UpdateRow(c + 3 * ldc, c30, c31, alphaV, betaV, mode);
        UpdateRow(c + 4 * ldc, c40, c41, alphaV, betaV, mode);
        UpdateRow(c + 5 * ldc, c50, c51, alphaV, betaV, mode);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void UpdateRow(float* c, Vector256<float> sum0, Vector256<float> sum1, Vector256<float> alphaV, Vector256<float> betaV, BetaMode mode)
    {
        if (mode == BetaMode.Overwrite)
        {
            Vector256.Store(sum0 * alphaV, c);
            Vector256.Store(sum1 * alphaV, c + 8);
        }
        else if (mode == BetaMode.Accumulate)
        {
            Vector256.Store(Fma.MultiplyAdd(sum0, alphaV, Vector256.Load(c)), c);
            Vector256.Store(Fma.MultiplyAdd(sum1, alphaV, Vector256.Load(c + 8)), c + 8);
        }
        else
        {
            Vector256.Store(Fma.MultiplyAdd(sum0, alphaV, Vector256.Load(c) * betaV), c);
            Vector256.Store(Fma.MultiplyAdd(sum1, alphaV, Vector256.Load(c + 8) * betaV), c + 8);
        }
    }
}

/// <summary>6x8 double tile: 12 Vector256 accumulators, B rows as two vectors, A values broadcast.</summary>
internal readonly unsafe struct Avx2DoubleKernel : IGemmMicroKernel<double>
{
    public static int Mr => 6;
    public static int Nr => 8;
    // Sizes of the Zen 3 prototype: the Kc x Nr B micro-panel fits a 32 KiB L1, the Mc x Kc A block a 512 KiB L2.
    public static int Mc => 96;
    public static int Kc => 256;
    public static int Nc => 2048;
    public static bool VectorizedPacking => true;
    public static bool IsSupported => Avx2.IsSupported && Fma.IsSupported;

    public static void DotProducts(in GemmOperands<double> operands) => GemmDot<double, Simd256<double>, Vector256<double>>.Run(operands);

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void Compute(int kc, double* a, double* b, nint bStride, double* c, nint ldc, double alpha, double beta)
    {
        Vector256<double> c00 = default, c01 = default;
        Vector256<double> c10 = default, c11 = default;
        Vector256<double> c20 = default, c21 = default;
        Vector256<double> c30 = default, c31 = default;
        Vector256<double> c40 = default, c41 = default;
        Vector256<double> c50 = default, c51 = default;
        for (int p = 0; p < kc; p++)
        {
            var b0 = Vector256.Load(b);
            var b1 = Vector256.Load(b + 4);
            var a0 = Vector256.Create(a[0]);
            c00 = Fma.MultiplyAdd(a0, b0, c00);
            c01 = Fma.MultiplyAdd(a0, b1, c01);
            var a1 = Vector256.Create(a[1]);
            c10 = Fma.MultiplyAdd(a1, b0, c10);
            c11 = Fma.MultiplyAdd(a1, b1, c11);
            var a2 = Vector256.Create(a[2]);
            c20 = Fma.MultiplyAdd(a2, b0, c20);
            c21 = Fma.MultiplyAdd(a2, b1, c21);
            var a3 = Vector256.Create(a[3]);
            c30 = Fma.MultiplyAdd(a3, b0, c30);
            c31 = Fma.MultiplyAdd(a3, b1, c31);
            var a4 = Vector256.Create(a[4]);
            c40 = Fma.MultiplyAdd(a4, b0, c40);
            c41 = Fma.MultiplyAdd(a4, b1, c41);
            var a5 = Vector256.Create(a[5]);
            c50 = Fma.MultiplyAdd(a5, b0, c50);
            c51 = Fma.MultiplyAdd(a5, b1, c51);
            a += 6;
            b += bStride;
        }

        var alphaV = Vector256.Create(alpha);
        var betaV = Vector256.Create(beta);
        var mode = beta == 0 ? BetaMode.Overwrite : beta == 1 ? BetaMode.Accumulate : BetaMode.Scale;
        UpdateRow(c, c00, c01, alphaV, betaV, mode);
        UpdateRow(c + ldc, c10, c11, alphaV, betaV, mode);
        UpdateRow(c + 2 * ldc, c20, c21, alphaV, betaV, mode);
        UpdateRow(c + 3 * ldc, c30, c31, alphaV, betaV, mode);
        UpdateRow(c + 4 * ldc, c40, c41, alphaV, betaV, mode);
        UpdateRow(c + 5 * ldc, c50, c51, alphaV, betaV, mode);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void UpdateRow(double* c, Vector256<double> sum0, Vector256<double> sum1, Vector256<double> alphaV, Vector256<double> betaV, BetaMode mode)
    {
        if (mode == BetaMode.Overwrite)
        {
            Vector256.Store(sum0 * alphaV, c);
            Vector256.Store(sum1 * alphaV, c + 4);
        }
        else if (mode == BetaMode.Accumulate)
        {
            Vector256.Store(Fma.MultiplyAdd(sum0, alphaV, Vector256.Load(c)), c);
            Vector256.Store(Fma.MultiplyAdd(sum1, alphaV, Vector256.Load(c + 4)), c + 4);
        }
        else
        {
            Vector256.Store(Fma.MultiplyAdd(sum0, alphaV, Vector256.Load(c) * betaV), c);
            Vector256.Store(Fma.MultiplyAdd(sum1, alphaV, Vector256.Load(c + 4) * betaV), c + 4);
        }
    }
}
