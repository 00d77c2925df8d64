using SharpEdge.Numerics;
using System.Runtime.CompilerServices;

namespace SharpEdge.Gpu;

/// <summary>
/// Scalar float64 arithmetic for the ensemble kernel, written so that ILGPU's CPU accelerator and CUDA compute
/// the same numbers as the CPU trainer's AVX-512 kernel: tanh is <see cref="Numerics.SimdMath"/>'s algorithm
/// operation for operation (same constants, same FMAs, same division), not the device's own tanh.
/// </summary>
/// <remarks>
/// The FMA and the separately rounded product come from <typeparamref name="TOps"/> (<see cref="ScalarOps"/> on ILGPU's
/// CPU accelerator, <see cref="PtxOps"/> on CUDA, see <see cref="IFloatOps"/>); the rest is plain arithmetic that
/// both backends round alike.
/// </remarks>
internal static class KernelMath<TOps> where TOps : struct, IFloatOps
{
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static double Fma(double a, double b, double c) => default(TOps).Fma(a, b, c);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static double Product(double a, double b, ulong zero) => default(TOps).Product(a, b, zero);

    private const double TanhSaturation = 20.0;
    // exp's range reduction shares SimdMath's constants, so both round alike
    private const double Log2E = SimdMath.Log2E;
    private const double Ln2High = SimdMath.Ln2High;
    private const double Ln2Low = SimdMath.Ln2Low;
    private const double RoundingShifter = SimdMath.RoundingShifter;
    private const ulong RoundingShifterBits = (ulong)SimdMath.RoundingShifterBits;
    private const ulong SignBit = 0x8000000000000000;

    /// <summary>tanh x: the Padé branch below 1, 1 − 2/(e^{2|x|} + 1) above, |x| clamped at 20 (SimdMath.Tanh).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static double Tanh(double x, ulong zero)
    {
        double magnitude = Math.Abs(x);
        // vminpd(20, m): m when m is NaN, so NaN stays NaN.
        magnitude = TanhSaturation < magnitude ? TanhSaturation : magnitude;
        bool isSmall = magnitude < 1.0;

        double s = Product(magnitude, magnitude, zero);
        double p = Fma(s, -1.0, -1430.0);
        p = Fma(p, s, -289575.0);
        p = Fma(p, s, -16081065.0);
        p = Fma(p, s, -218243025.0);
        double q = s + 1485.0;
        q = Fma(q, s, 315315.0);
        q = Fma(q, s, 18918900.0);
        q = Fma(q, s, 310134825.0);
        q = Fma(q, s, 654729075.0);

        double expTwice = ExpOfModerate(magnitude + magnitude, zero);
        double numerator = isSmall ? p : 2.0;
        double denominator = isSmall ? q : expTwice + 1.0;
        double ratio = Divide(numerator, denominator, zero);
        double factor = isSmall ? magnitude * s : -1.0;
        double offset = isSmall ? magnitude : 1.0;
        double result = Fma(factor, ratio, offset);
        ulong sign = ILGPU.Interop.FloatAsInt(x) & SignBit;
        return ILGPU.Interop.IntAsFloat(ILGPU.Interop.FloatAsInt(result) | sign);
    }

    // 1/d to within 12.5 % for a positive normal d: the exponent negated and the mantissa mirrored by one subtraction.
    private const ulong ReciprocalSeed = 0x7FDE623822FC16E6;

    /// <summary>
    /// n/d correctly rounded (as IEEE division) for positive normal d and a quotient far from overflow and underflow,
    /// without a branch: the reciprocal refined by Newton steps, then the quotient corrected once by its residual.
    /// </summary>
    /// <remarks>
    /// CUDA's <c>div.rn.f64</c> ends with the same three steps after a hardware seed, but branches to a slow path for
    /// extreme exponents; that branch made ptxas spread tanh over several basic blocks, sink the forward pass into
    /// them and spill it. The steps: three Newton steps take the seed's 2⁻³ to 2⁻²⁴; a cubic step to 2⁻⁷² before
    /// rounding; one more Newton step leaves y the reciprocal as CUDA's fast path has it; q = n·y is within an ulp, the
    /// residual r = n − d·q is exact in an FMA, and q + r·y rounds to n/d (Markstein's correction). NaN in, NaN out.
    /// The tanh's denominators lie in [8.3, 2.4·10¹⁷] and the tests compare it with division on millions of pairs,
    /// near-midpoint quotients included.
    /// </remarks>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static double Divide(double n, double d, ulong zero)
    {
        double y = ILGPU.Interop.IntAsFloat(ReciprocalSeed - ILGPU.Interop.FloatAsInt(d));
        double e = Fma(-d, y, 1.0);
        y = Fma(y, e, y);
        e = Fma(-d, y, 1.0);
        y = Fma(y, e, y);
        e = Fma(-d, y, 1.0);
        y = Fma(y, e, y);
        e = Fma(-d, y, 1.0);
        y = Fma(y, Fma(e, e, e), y);
        e = Fma(-d, y, 1.0);
        y = Fma(y, e, y);
        double q = Product(n, y, zero);
        double r = Fma(-d, q, n);
        return Fma(r, y, q);
    }

    // e^x for x in [0, 64] (or NaN): x = n·ln2 + r, e^r by a degree-9 polynomial, 2^n as one scale factor.
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static double ExpOfModerate(double x, ulong zero)
    {
        double shifted = Fma(x, Log2E, RoundingShifter);
        double n = shifted - RoundingShifter;
        double r = Fma(-n, Ln2High, x);
        r = Fma(-n, Ln2Low, r);
        double q = 2.5100375832561234e-08;
        q = Fma(q, r, 2.7620075879983367e-07);
        q = Fma(q, r, 2.7557268480310024e-06);
        q = Fma(q, r, 2.4801521322368692e-05);
        q = Fma(q, r, 0.00019841269863040545);
        q = Fma(q, r, 0.0013888888917196719);
        q = Fma(q, r, 0.008333333333330065);
        q = Fma(q, r, 0.041666666666624164);
        q = Fma(q, r, 0.16666666666666669);
        q = Fma(q, r, 0.5000000000000001);
        double mantissa = Fma(r * r, q, r) + 1.0;
        ulong exponent = ILGPU.Interop.FloatAsInt(shifted) - (RoundingShifterBits - 1023);
        return Product(mantissa, ILGPU.Interop.IntAsFloat(exponent << 52), zero);
    }

    /// <summary>σ of the activation code (0 tanh, 1 relu, 2 identity: <see cref="TeacherStudent.Activation"/>'s values).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static double Activate(int activation, double x, ulong zero) => activation switch
    {
        0 => default(TanhUnits<TOps>).Activate(x, zero),
        1 => default(ReluUnits).Activate(x, zero),
        _ => default(IdentityUnits).Activate(x, zero),
    };

    /// <summary>σ' from the activated value, for the activation code as in <see cref="Activate"/>.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static double Slope(int activation, double activated, ulong zero) => activation switch
    {
        0 => default(TanhUnits<TOps>).Slope(activated, zero),
        1 => default(ReluUnits).Slope(activated, zero),
        _ => default(IdentityUnits).Slope(activated, zero),
    };
}

/// <summary>
/// A hidden unit's activation as a type, so that a kernel can be compiled for one activation: the paper-shape kernel
/// is, because a run-time switch splits its step into basic blocks that ptxas then schedules badly (it sank the
/// forward pass into the tanh's blocks and spilled the batch it had loaded early).
/// </summary>
internal interface IActivationUnits
{
    /// <summary>σ(x).</summary>
    double Activate(double x, ulong zero);

    /// <summary>σ' from the activated value a = σ(x).</summary>
    double Slope(double activated, ulong zero);
}

/// <summary>tanh, and σ' = 1 − a·a with a·a rounded first (generate.py).</summary>
internal readonly struct TanhUnits<TOps> : IActivationUnits where TOps : struct, IFloatOps
{
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public double Activate(double x, ulong zero) => KernelMath<TOps>.Tanh(x, zero);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public double Slope(double activated, ulong zero) => 1.0 - default(TOps).Product(activated, activated, zero);
}

/// <summary>relu as x·(x &gt; 0), by multiplication so that NaN stays NaN as in generate.py; σ' = 1·(a &gt; 0).</summary>
internal readonly struct ReluUnits : IActivationUnits
{
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public double Activate(double x, ulong zero) => x * (x > 0.0 ? 1.0 : 0.0);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public double Slope(double activated, ulong zero) => activated > 0.0 ? 1.0 : 0.0;
}

/// <summary>The identity (a linear student).</summary>
internal readonly struct IdentityUnits : IActivationUnits
{
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public double Activate(double x, ulong zero) => x;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public double Slope(double activated, ulong zero) => 1.0;
}
