using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;
using SharpEdge.Numerics;

namespace SharpEdge.Gpu.Tests;

/// <summary>
/// The kernels' scalar float64 arithmetic (<see cref="KernelMath{TOps}"/>, with a true FMA as on both backends) against
/// IEEE division and the CPU trainer's vector tanh, bit for bit.
/// </summary>
public sealed class KernelMathTests
{
    private static double Divide(double n, double d) => KernelMath<ScalarOps>.Divide(n, d, 0);

    private static void AssertSameBits(double expected, double actual, string what) =>
        Assert.True(BitConverter.DoubleToInt64Bits(expected) == BitConverter.DoubleToInt64Bits(actual),
            $"{what}: expected {expected:R}, got {actual:R}");

    // A double with a uniformly random 52-bit mantissa and an exponent uniform in [low, high].
    private static double RandomDouble(Random random, int low, int high, bool negative = false)
    {
        long mantissa = random.NextInt64(1L << 52);
        long exponent = random.Next(low, high + 1) + 1023;
        double value = BitConverter.Int64BitsToDouble((exponent << 52) | mantissa);
        return negative ? -value : value;
    }

    [Fact]
    public void DivideRoundsAsIeeeDivisionOverWideRanges()
    {
        var random = new Random(20261127);
        for (int i = 0; i < 2_000_000; i++)
        {
            double d = RandomDouble(random, -300, 300);
            double n = RandomDouble(random, -300, 300, negative: random.Next(2) == 0);
            AssertSameBits(n / d, Divide(n, d), $"{n:R} / {d:R}");
        }
    }

    // The hardest quotients: within ~2⁻⁵³ of an ulp from the midpoint between two doubles, where a reciprocal one ulp
    // off would round the wrong way. For an odd 54-bit M and D ≡ ±k·M⁻¹ (mod 2⁵⁴) of 53 bits, M·D = N·2⁵⁴ ± k with
    // small k, so N/(D·2⁻⁵⁴) = M ∓ k/D: next to the midpoint M between the doubles M − 1 and M + 1.
    [Fact]
    public void DivideRoundsNearMidpointQuotientsAsIeeeDivision()
    {
        var random = new Random(7);
        const ulong Mask54 = (1UL << 54) - 1;
        int cases = 0, below = 0;
        while (cases < 200_000)
        {
            ulong m = (1UL << 53) | (ulong)random.NextInt64(1L << 53) | 1UL;
            ulong inverse = m;                                    // Newton for M⁻¹ mod 2⁶⁴: each step doubles the bits
            for (int i = 0; i < 6; i++) inverse *= 2 - m * inverse;
            for (ulong k = 1; k <= 8; k++)
            {
                foreach (ulong candidate in new[] { (k * inverse) & Mask54, (0 - k * inverse) & Mask54 })
                {
                    if (candidate < 1UL << 52 || candidate >= 1UL << 53) continue;
                    UInt128 product = (UInt128)m * candidate;
                    ulong low = (ulong)(product & Mask54);
                    if (low != k && low != (1UL << 54) - k) continue;
                    ulong n = (ulong)((product + (1UL << 53)) >> 54);   // N·2⁵⁴ is M·D to within k
                    int scale = random.Next(-200, 200);
                    double numerator = Math.ScaleB(n, scale), denominator = Math.ScaleB(candidate, scale - 54 + random.Next(-100, 100));
                    double expected = numerator / denominator;
                    AssertSameBits(expected, Divide(numerator, denominator), $"{numerator:R} / {denominator:R}");
                    AssertSameBits(-expected, Divide(-numerator, denominator), $"{-numerator:R} / {denominator:R}");
                    if (low == k) below++;
                    cases++;
                }
            }
        }
        Assert.InRange(below, cases / 4, cases - cases / 4);   // quotients on both sides of their midpoints
    }

    [Fact]
    public void DivideCoversTheTanhDenominatorsAndPropagatesNaN()
    {
        var random = new Random(3);
        for (int i = 0; i < 1_000_000; i++)
        {
            // the tanh's two branches: 2/(e^{2|x|}+1) for |x| in [1, 20] and P/Q for |x| < 1
            double x = 1.0 + 19.0 * random.NextDouble();
            double large = Math.Exp(2 * x) + 1.0;
            AssertSameBits(2.0 / large, Divide(2.0, large), $"2 / {large:R}");
            double s = random.NextDouble();
            double p = -(((s + 1430.0) * s + 289575.0) * s + 16081065.0) * s - 218243025.0;
            double q = ((((s + 1485.0) * s + 315315.0) * s + 18918900.0) * s + 310134825.0) * s + 654729075.0;
            AssertSameBits(p / q, Divide(p, q), $"{p:R} / {q:R}");
        }
        Assert.True(double.IsNaN(Divide(double.NaN, 3.0)));
        Assert.True(double.IsNaN(Divide(2.0, double.NaN)));
    }

    [SkippableFact]
    public void TanhEqualsTheCpuTrainersVectorTanhBitForBit()
    {
        Skip.IfNot(Fma.IsSupported, "the CPU trainer's vector tanh needs FMA");
        var random = new Random(11);
        var values = new List<double> { 0.0, -0.0, 1.0, -1.0, Math.BitDecrement(1.0), 20.0, 25.0, -700.0, 1e-300, double.NaN };
        for (int i = 0; i < 400_000; i++) values.Add((random.NextDouble() * 2 - 1) * (random.Next(3) switch { 0 => 1.0, 1 => 4.0, _ => 24.0 }));
        while (values.Count % 4 != 0) values.Add(random.NextDouble());
        for (int i = 0; i < values.Count; i += 4)
        {
            var expected = SimdMath.Tanh(Vector256.Create(values[i], values[i + 1], values[i + 2], values[i + 3]));
            for (int lane = 0; lane < 4; lane++)
            {
                double x = values[i + lane], actual = KernelMath<ScalarOps>.Tanh(x, 0);
                if (double.IsNaN(x)) Assert.True(double.IsNaN(actual));
                else AssertSameBits(expected[lane], actual, $"tanh({x:R})");
            }
        }
    }
}
