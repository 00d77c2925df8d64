using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;
using SharpEdge.Numerics;

namespace SharpEdge.TeacherStudent;

/// <summary>
/// σ and σ' (from the activated value, as in <see cref="ActivationFunctions.SlopeFromActivated"/>) for the SGD
/// kernels, as static members so each kernel is compiled once per activation with the calls inlined.
/// Every σ maps 0 to 0, which keeps the zero padding of K inert (padded units have Z = 0 and W = 0).
/// </summary>
internal interface IActivationKernel
{
    static abstract double Apply(double x);

    static abstract double Slope(double activated);

    static abstract Vector256<double> Apply(Vector256<double> x);

    static abstract Vector256<double> Slope(Vector256<double> activated);

    static abstract Vector512<double> Apply(Vector512<double> x);

    static abstract Vector512<double> Slope(Vector512<double> activated);
}

internal readonly struct TanhKernel : IActivationKernel
{
    public static double Apply(double x) => Math.Tanh(x);

    public static double Slope(double activated) => 1.0 - activated * activated;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector256<double> Apply(Vector256<double> x) => SimdMath.Tanh(x);

    // 1 − a·a with a separate rounding of a·a, as generate.py (phase_ml_spec §8.2.10).
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector256<double> Slope(Vector256<double> activated) =>
        Avx.Subtract(Vector256<double>.One, Avx.Multiply(activated, activated));

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector512<double> Apply(Vector512<double> x) => SimdMath.Tanh(x);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector512<double> Slope(Vector512<double> activated) =>
        Avx512F.Subtract(Vector512<double>.One, Avx512F.Multiply(activated, activated));
}

internal readonly struct ReluKernel : IActivationKernel
{
    public static double Apply(double x) => x * (x > 0.0 ? 1.0 : 0.0);

    public static double Slope(double activated) => activated > 0.0 ? 1.0 : 0.0;

    // x·(x > 0) by multiplication, so NaN propagates as in generate.py.
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector256<double> Apply(Vector256<double> x) => Avx.Multiply(x, Slope(x));

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector256<double> Slope(Vector256<double> activated) =>
        Avx.And(Avx.CompareGreaterThan(activated, Vector256<double>.Zero), Vector256<double>.One);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector512<double> Apply(Vector512<double> x) => Avx512F.Multiply(x, Slope(x));

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector512<double> Slope(Vector512<double> activated) =>
        Avx512F.And(Avx512F.CompareGreaterThan(activated, Vector512<double>.Zero).AsInt64(), Vector512<double>.One.AsInt64()).AsDouble();
}

internal readonly struct IdentityKernel : IActivationKernel
{
    public static double Apply(double x) => x;

    public static double Slope(double activated) => 1.0;

    public static Vector256<double> Apply(Vector256<double> x) => x;

    public static Vector256<double> Slope(Vector256<double> activated) => Vector256<double>.One;

    public static Vector512<double> Apply(Vector512<double> x) => x;

    public static Vector512<double> Slope(Vector512<double> activated) => Vector512<double>.One;
}
