using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace SharpEdge.Numerics;

/// <summary>
/// The Vector512 forms of the kernels: the same algorithm, constants and operation order as the Vector256 tanh,
/// on 8 lanes, so results are bit-identical lane by lane (tested). Callers check <see cref="IsVector512Accelerated"/>.
/// </summary>
public static partial class SimdMath
{
    /// <summary>AVX-512F is present, so the Vector512 kernels may be called.</summary>
    public static bool IsVector512Accelerated => Avx512F.IsSupported;

    /// <summary>tanh per lane; odd (keeps the sign of ±0), NaN stays NaN.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector512<double> Tanh(Vector512<double> x)
    {
        Vector512<long> signMask = Vector512.Create(long.MinValue);
        Vector512<long> sign = Avx512F.And(x.AsInt64(), signMask);
        Vector512<double> magnitude = Avx512F.Min(Vector512.Create(TanhSaturation), Avx512F.AndNot(signMask, x.AsInt64()).AsDouble());
        Vector512<double> isSmall = Avx512F.CompareLessThan(magnitude, Vector512<double>.One);

        // |x| < 1: |x| + |x|³·P(s)/Q(s), s = x², the [9/10] Padé approximant of tanh from its continued fraction.
        Vector512<double> s = Avx512F.Multiply(magnitude, magnitude);
        Vector512<double> p = Avx512F.FusedMultiplyAdd(s, Vector512.Create(-1.0), Vector512.Create(-1430.0));
        p = Avx512F.FusedMultiplyAdd(p, s, Vector512.Create(-289575.0));
        p = Avx512F.FusedMultiplyAdd(p, s, Vector512.Create(-16081065.0));
        p = Avx512F.FusedMultiplyAdd(p, s, Vector512.Create(-218243025.0));
        Vector512<double> q = Avx512F.Add(s, Vector512.Create(1485.0));
        q = Avx512F.FusedMultiplyAdd(q, s, Vector512.Create(315315.0));
        q = Avx512F.FusedMultiplyAdd(q, s, Vector512.Create(18918900.0));
        q = Avx512F.FusedMultiplyAdd(q, s, Vector512.Create(310134825.0));
        q = Avx512F.FusedMultiplyAdd(q, s, Vector512.Create(654729075.0));

        // |x| ≥ 1: 1 − 2/(e^{2|x|} + 1). Both branches share one division.
        Vector512<double> expTwice = ExpOfModerate(Avx512F.Add(magnitude, magnitude));
        Vector512<double> numerator = Avx512F.BlendVariable(Vector512.Create(2.0), p, isSmall);
        Vector512<double> denominator = Avx512F.BlendVariable(Avx512F.Add(expTwice, Vector512<double>.One), q, isSmall);
        Vector512<double> ratio = Avx512F.Divide(numerator, denominator);

        Vector512<double> factor = Avx512F.BlendVariable(Vector512.Create(-1.0), Avx512F.Multiply(magnitude, s), isSmall);
        Vector512<double> offset = Avx512F.BlendVariable(Vector512<double>.One, magnitude, isSmall);
        Vector512<double> result = Avx512F.FusedMultiplyAdd(factor, ratio, offset);
        return Avx512F.Or(result.AsInt64(), sign).AsDouble();
    }

    // e^x for x in [0, 40] (or NaN): x = n·ln2 + r, e^r by the same degree-9 fit as the Vector256 kernel, 2^n as one scale factor.
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector512<double> ExpOfModerate(Vector512<double> x)
    {
        Vector512<double> shifted = Avx512F.FusedMultiplyAdd(x, Vector512.Create(Log2E), Vector512.Create(RoundingShifter));
        Vector512<double> n = Avx512F.Subtract(shifted, Vector512.Create(RoundingShifter));
        Vector512<double> r = Avx512F.FusedMultiplyAddNegated(n, Vector512.Create(Ln2High), x);
        r = Avx512F.FusedMultiplyAddNegated(n, Vector512.Create(Ln2Low), r);

        Vector512<double> q = Vector512.Create(2.5100375832561234e-08);
        q = Avx512F.FusedMultiplyAdd(q, r, Vector512.Create(2.7620075879983367e-07));
        q = Avx512F.FusedMultiplyAdd(q, r, Vector512.Create(2.7557268480310024e-06));
        q = Avx512F.FusedMultiplyAdd(q, r, Vector512.Create(2.4801521322368692e-05));
        q = Avx512F.FusedMultiplyAdd(q, r, Vector512.Create(0.00019841269863040545));
        q = Avx512F.FusedMultiplyAdd(q, r, Vector512.Create(0.0013888888917196719));
        q = Avx512F.FusedMultiplyAdd(q, r, Vector512.Create(0.008333333333330065));
        q = Avx512F.FusedMultiplyAdd(q, r, Vector512.Create(0.041666666666624164));
        q = Avx512F.FusedMultiplyAdd(q, r, Vector512.Create(0.16666666666666669));
        q = Avx512F.FusedMultiplyAdd(q, r, Vector512.Create(0.5000000000000001));
        Vector512<double> expm1OfR = Avx512F.FusedMultiplyAdd(Avx512F.Multiply(r, r), q, r);
        Vector512<double> mantissa = Avx512F.Add(expm1OfR, Vector512<double>.One);
        Vector512<long> exponent = Avx512F.Subtract(shifted.AsInt64(), Vector512.Create(RoundingShifterBits - 1023));
        return Avx512F.Multiply(mantissa, Avx512F.ShiftLeftLogical(exponent, 52).AsDouble());
    }
}
