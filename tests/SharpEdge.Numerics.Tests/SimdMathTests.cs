using System.Runtime.Intrinsics;

namespace SharpEdge.Numerics.Tests;

public class SimdMathTests
{
    // ---------------------------------------------------------------- helpers

    // Distance in units in the last place: bit patterns mapped to a monotone integer line
    // (so -0 == +0 and neighbours across zero are 1 apart).
    private static long UlpDistance(double actual, double expected)
    {
        if (double.IsNaN(actual) || double.IsNaN(expected)) return double.IsNaN(actual) && double.IsNaN(expected) ? 0 : long.MaxValue;
        return Math.Abs(OrderedBits(actual) - OrderedBits(expected));
    }

    private static long UlpDistance(float actual, float expected)
    {
        if (float.IsNaN(actual) || float.IsNaN(expected)) return float.IsNaN(actual) && float.IsNaN(expected) ? 0 : long.MaxValue;
        return Math.Abs((long)OrderedBits(actual) - OrderedBits(expected));
    }

    private static long OrderedBits(double value)
    {
        long bits = BitConverter.DoubleToInt64Bits(value);
        return bits < 0 ? -(bits & long.MaxValue) : bits;
    }

    private static int OrderedBits(float value)
    {
        int bits = BitConverter.SingleToInt32Bits(value);
        return bits < 0 ? -(bits & int.MaxValue) : bits;
    }

    private static readonly double[] SpecialDoubles =
    [
        0.0, -0.0, double.Epsilon, -double.Epsilon, 2.2250738585072014E-308, -2.2250738585072014E-308,
        1e-300, -1e-300, 1.0, -1.0, double.MaxValue, double.MinValue,
        double.PositiveInfinity, double.NegativeInfinity, double.NaN,
    ];

    private static readonly float[] SpecialFloats =
    [
        0f, -0f, float.Epsilon, -float.Epsilon, 1.17549435E-38f, -1.17549435E-38f,
        1f, -1f, float.MaxValue, float.MinValue, float.PositiveInfinity, float.NegativeInfinity, float.NaN,
    ];

    // Log-spaced magnitudes (subnormal to huge) with random signs, uniform bands over the
    // interesting ranges, points packed around the given thresholds, and the special values.
    private static double[] DoubleSamples(int seed, double minLog10, double maxLog10, (double Low, double High)[] bands, double[] thresholds)
    {
        var random = new Random(seed);
        var samples = new List<double>(1_300_000);
        for (int i = 0; i < 400_000; i++)
        {
            double magnitude = Math.Pow(10.0, minLog10 + (maxLog10 - minLog10) * random.NextDouble());
            samples.Add(random.Next(2) == 0 ? magnitude : -magnitude);
        }
        foreach (var (low, high) in bands)
            for (int i = 0; i < 200_000; i++) samples.Add(low + (high - low) * random.NextDouble());
        foreach (double threshold in thresholds)
        {
            double nearby = threshold;
            for (int k = 0; k < 2000; k++) { samples.Add(nearby); samples.Add(-nearby); nearby = Math.BitIncrement(nearby); }
            nearby = threshold;
            for (int k = 0; k < 2000; k++) { nearby = Math.BitDecrement(nearby); samples.Add(nearby); samples.Add(-nearby); }
        }
        samples.AddRange(SpecialDoubles);
        return samples.ToArray();
    }

    // Every stride-th float bit pattern over all finite values, both signs, plus the specials.
    private static float[] FloatSweep(uint stride)
    {
        var samples = new List<float>((int)(0x7F800000u / stride * 2) + SpecialFloats.Length);
        for (uint bits = 0; bits < 0x7F800000u; bits += stride)
        {
            samples.Add(BitConverter.UInt32BitsToSingle(bits));
            samples.Add(BitConverter.UInt32BitsToSingle(bits | 0x80000000u));
        }
        samples.AddRange(SpecialFloats);
        return samples.ToArray();
    }

    private static (long Worst, double At) WorstUlp(double[] x, double[] actual, Func<double, double> reference)
    {
        long worst = 0;
        double at = 0;
        for (int i = 0; i < x.Length; i++)
        {
            long distance = UlpDistance(actual[i], reference(x[i]));
            if (distance > worst) (worst, at) = (distance, x[i]);
        }
        return (worst, at);
    }

    private static (long Worst, float At) WorstUlp(float[] x, float[] actual, Func<float, float> reference)
    {
        long worst = 0;
        float at = 0;
        for (int i = 0; i < x.Length; i++)
        {
            long distance = UlpDistance(actual[i], reference(x[i]));
            if (distance > worst) (worst, at) = (distance, x[i]);
        }
        return (worst, at);
    }

    // ---------------------------------------------------------------- tanh / exp, double

    [Fact]
    public void TanhDouble_IsWithinTwoUlpOfMathTanh_OverWholeRange()
    {
        double[] x = DoubleSamples(11, -323.5, 3.0, [(-1.5, 1.5), (-25.0, 25.0)], [1.0, 0.5, 18.7, 19.0615, 20.0, 1e-8]);
        var y = new double[x.Length];
        SimdMath.Tanh(x, y);
        var (worst, at) = WorstUlp(x, y, Math.Tanh);
        Assert.True(worst <= 2, $"max {worst} ulp at x = {at:R}");
    }

    [Fact]
    public void ExpDouble_IsWithinTwoUlpOfMathExp_OverWholeRange()
    {
        double[] x = DoubleSamples(12, -323.5, 3.0, [(-750.0, 712.0), (-0.4, 0.4), (-746.0, -700.0)],
            [709.782712893384, 708.39641853226408, 745.13321910194110, 0.34657359027997264]);
        var y = new double[x.Length];
        SimdMath.Exp(x, y);
        var (worst, at) = WorstUlp(x, y, Math.Exp);
        Assert.True(worst <= 2, $"max {worst} ulp at x = {at:R}");
    }

    [Fact]
    public void TanhDouble_IsWithinOneUlpOfHighPrecisionReference()
    {
        foreach (var (x, expected) in TanhReference)
        {
            Assert.True(UlpDistance(Tanh(x), expected) <= 1, $"tanh({x:R}) = {Tanh(x):R}, expected {expected:R}");
            Assert.True(UlpDistance(Tanh(-x), -expected) <= 1, $"tanh({-x:R}) = {Tanh(-x):R}, expected {-expected:R}");
        }
    }

    [Fact]
    public void ExpDouble_IsWithinOneUlpOfHighPrecisionReference()
    {
        foreach (var (x, expected) in ExpReference)
            Assert.True(UlpDistance(Exp(x), expected) <= 1, $"exp({x:R}) = {Exp(x):R}, expected {expected:R}");
    }

    [Fact]
    public void TanhDouble_SpecialValues()
    {
        Assert.Equal(BitConverter.DoubleToInt64Bits(0.0), BitConverter.DoubleToInt64Bits(Tanh(0.0)));
        Assert.Equal(BitConverter.DoubleToInt64Bits(-0.0), BitConverter.DoubleToInt64Bits(Tanh(-0.0)));
        Assert.Equal(double.Epsilon, Tanh(double.Epsilon));
        Assert.Equal(-double.Epsilon, Tanh(-double.Epsilon));
        Assert.Equal(1.0, Tanh(double.PositiveInfinity));
        Assert.Equal(-1.0, Tanh(double.NegativeInfinity));
        Assert.Equal(1.0, Tanh(double.MaxValue));
        Assert.Equal(-1.0, Tanh(19.5 * -1));
        Assert.True(double.IsNaN(Tanh(double.NaN)));
    }

    [Fact]
    public void ExpDouble_SpecialValuesOverflowAndUnderflow()
    {
        Assert.Equal(1.0, Exp(0.0));
        Assert.Equal(1.0, Exp(-0.0));
        Assert.Equal(1.0, Exp(double.Epsilon));
        Assert.Equal(double.PositiveInfinity, Exp(double.PositiveInfinity));
        Assert.Equal(0.0, Exp(double.NegativeInfinity));
        Assert.Equal(double.PositiveInfinity, Exp(709.7827128933841));
        Assert.Equal(double.PositiveInfinity, Exp(1e300));
        Assert.True(Exp(709.782712893384) < double.PositiveInfinity);
        Assert.Equal(double.Epsilon, Exp(-745.1332191019411));
        Assert.Equal(0.0, Exp(-745.1332191019412 - 0.01));
        Assert.Equal(0.0, Exp(-1e300));
        Assert.True(double.IsNaN(Exp(double.NaN)));
    }

    // ---------------------------------------------------------------- tanh / exp, float

    [Fact]
    public void TanhFloat_IsWithinThreeUlpOfMathFTanh_OverAllFloatsSampled()
    {
        float[] x = FloatSweep(2039);
        var y = new float[x.Length];
        SimdMath.Tanh(x, y);
        var (worst, at) = WorstUlp(x, y, MathF.Tanh);
        Assert.True(worst <= 3, $"max {worst} ulp at x = {at:R}");
    }

    [Fact]
    public void ExpFloat_IsWithinTwoUlpOfMathFExp_OverAllFloatsSampled()
    {
        float[] x = FloatSweep(2039);
        var y = new float[x.Length];
        SimdMath.Exp(x, y);
        var (worst, at) = WorstUlp(x, y, MathF.Exp);
        Assert.True(worst <= 2, $"max {worst} ulp at x = {at:R}");
    }

    [Fact]
    public void Float_SpecialValues()
    {
        float[] x = [0f, -0f, float.Epsilon, float.PositiveInfinity, float.NegativeInfinity, float.NaN, 88.8f, -104f, 9.5f, -9.5f, 1e-30f, -1e-30f];
        var tanh = new float[x.Length];
        var exp = new float[x.Length];
        SimdMath.Tanh(x, tanh);
        SimdMath.Exp(x, exp);
        Assert.Equal(BitConverter.SingleToInt32Bits(0f), BitConverter.SingleToInt32Bits(tanh[0]));
        Assert.Equal(BitConverter.SingleToInt32Bits(-0f), BitConverter.SingleToInt32Bits(tanh[1]));
        Assert.Equal(float.Epsilon, tanh[2]);
        Assert.Equal([1f, -1f], tanh[3..5]);
        Assert.True(float.IsNaN(tanh[5]));
        Assert.Equal([1f, -1f], tanh[8..10]);
        Assert.Equal([1e-30f, -1e-30f], tanh[10..12]);
        Assert.Equal([1f, 1f, 1f, float.PositiveInfinity, 0f], exp[0..5]);
        Assert.True(float.IsNaN(exp[5]));
        Assert.Equal(float.PositiveInfinity, exp[6]);
        Assert.Equal(0f, exp[7]);
    }

    // ---------------------------------------------------------------- span plumbing

    [Fact]
    public void Spans_TailElementsMatchVectorLanes_AndInPlaceWorks()
    {
        var random = new Random(5);
        for (int length = 0; length <= 19; length++)
        {
            double[] x = Enumerable.Range(0, length).Select(_ => random.NextDouble() * 8 - 4).ToArray();
            float[] xf = x.Select(v => (float)v).ToArray();
            var tanh = new double[length + 3];
            var exp = new double[length];
            var tanhF = new float[length];
            var expF = new float[length];
            SimdMath.Tanh(x, tanh);
            SimdMath.Exp(x, exp);
            SimdMath.Tanh(xf, tanhF);
            SimdMath.Exp(xf, expF);
            for (int i = 0; i < length; i++)
            {
                // Results are a function of the value only, whatever its position.
                Assert.Equal(Tanh(x[i]), tanh[i]);
                Assert.Equal(Exp(x[i]), exp[i]);
                Assert.Equal(TanhF(xf[i]), tanhF[i]);
                Assert.Equal(ExpF(xf[i]), expF[i]);
            }
            Assert.All(tanh[length..], v => Assert.Equal(0.0, v));

            double[] inPlace = (double[])x.Clone();
            SimdMath.Tanh(inPlace, inPlace);
            Assert.Equal(tanh[..length], inPlace);
            float[] inPlaceF = (float[])xf.Clone();
            SimdMath.Exp(inPlaceF, inPlaceF);
            Assert.Equal(expF, inPlaceF);
        }
    }

    [Fact]
    public void Spans_RejectShortOutputAndPartialOverlap()
    {
        var buffer = new double[16];
        Assert.Throws<ArgumentException>(() => SimdMath.Tanh(buffer.AsSpan(0, 8), buffer.AsSpan(8, 4)));
        Assert.Throws<ArgumentException>(() => SimdMath.Exp(buffer.AsSpan(0, 8), buffer.AsSpan(1, 8)));
        var floats = new float[16];
        Assert.Throws<ArgumentException>(() => SimdMath.Tanh(floats.AsSpan(1, 8), floats.AsSpan(0, 8)));
    }

    [Fact]
    public void VectorOverloads_WorkLanewise()
    {
        if (!SimdMath.IsHardwareAccelerated) return;
        Vector256<double> x = Vector256.Create(-2.0, -0.5, 0.25, 3.0);
        Vector256<double> tanh = SimdMath.Tanh(x);
        Vector256<double> exp = SimdMath.Exp(x);
        for (int lane = 0; lane < 4; lane++)
        {
            Assert.True(UlpDistance(tanh[lane], Math.Tanh(x[lane])) <= 2);
            Assert.True(UlpDistance(exp[lane], Math.Exp(x[lane])) <= 2);
        }
        Vector256<float> xf = Vector256.Create(-9f, -2f, -0.5f, -1e-3f, 1e-3f, 0.5f, 2f, 9f);
        Vector256<float> tanhF = SimdMath.Tanh(xf);
        Vector256<float> expF = SimdMath.Exp(xf);
        for (int lane = 0; lane < 8; lane++)
        {
            Assert.True(UlpDistance(tanhF[lane], MathF.Tanh(xf[lane])) <= 3);
            Assert.True(UlpDistance(expF[lane], MathF.Exp(xf[lane])) <= 2);
        }
    }

    private static double Tanh(double x) { Span<double> v = [x]; SimdMath.Tanh(v, v); return v[0]; }
    private static double Exp(double x) { Span<double> v = [x]; SimdMath.Exp(v, v); return v[0]; }
    private static float TanhF(float x) { Span<float> v = [x]; SimdMath.Tanh(v, v); return v[0]; }
    private static float ExpF(float x) { Span<float> v = [x]; SimdMath.Exp(v, v); return v[0]; }

    // ---------------------------------------------------------------- erf / erfc

    [Fact]
    public void Erf_MatchesHighPrecisionReference()
    {
        foreach (var (x, erf, erfc) in ErfReference)
        {
            double actual = SimdMath.Erf(x);
            double relative = erf == 0 ? Math.Abs(actual) : Math.Abs(actual / erf - 1);
            Assert.True(relative <= 1e-15, $"erf({x:R}) = {actual:R}, expected {erf:R} (relative error {relative:E2})");
        }
    }

    [Fact]
    public void Erfc_MatchesHighPrecisionReference()
    {
        foreach (var (x, _, erfc) in ErfReference)
        {
            double actual = SimdMath.Erfc(x);
            // Subnormal results carry fewer significant bits.
            double tolerance = erfc < 2.2250738585072014E-308 ? 1e-5 : 1e-15;
            double relative = Math.Abs(actual / erfc - 1);
            Assert.True(relative <= tolerance, $"erfc({x:R}) = {actual:R}, expected {erfc:R} (relative error {relative:E2})");
        }
    }

    [Fact]
    public void Erf_SymmetryLimitsAndMonotonicity()
    {
        Assert.Equal(1.0, SimdMath.Erf(double.PositiveInfinity));
        Assert.Equal(-1.0, SimdMath.Erf(double.NegativeInfinity));
        Assert.Equal(0.0, SimdMath.Erfc(double.PositiveInfinity));
        Assert.Equal(2.0, SimdMath.Erfc(double.NegativeInfinity));
        Assert.Equal(0.0, SimdMath.Erfc(30.0));
        Assert.True(double.IsNaN(SimdMath.Erf(double.NaN)));
        Assert.True(double.IsNaN(SimdMath.Erfc(double.NaN)));
        Assert.Equal(BitConverter.DoubleToInt64Bits(-0.0), BitConverter.DoubleToInt64Bits(SimdMath.Erf(-0.0)));

        double previous = -1.0;
        for (int i = -30000; i <= 30000; i++)
        {
            double x = i * 1e-4;
            double value = SimdMath.Erf(x);
            Assert.Equal(-value, SimdMath.Erf(-x));
            Assert.True(value >= previous, $"erf not monotone at {x:R}");
            Assert.True(Math.Abs(value + SimdMath.Erfc(x) - 1.0) <= 4e-16, $"erf + erfc != 1 at {x:R}");
            previous = value;
        }
    }

    // ---------------------------------------------------------------- reference tables
    // Computed independently with mpmath at 60 significant digits, rounded to double.

    private static readonly (double X, double Erf, double Erfc)[] ErfReference =
    [
        (0.0, 0.0, 1.0),
        (1e-300, 1.1283791670955126e-300, 1.0),
        (-1e-300, -1.1283791670955126e-300, 1.0),
        (1e-20, 1.1283791670955125e-20, 1.0),
        (-1e-20, -1.1283791670955125e-20, 1.0),
        (1e-08, 1.1283791670955126e-08, 0.9999999887162083),
        (-1e-08, -1.1283791670955126e-08, 1.0000000112837917),
        (0.001, 0.0011283787909692365, 0.9988716212090307),
        (-0.001, -0.0011283787909692365, 1.0011283787909693),
        (0.1, 0.1124629160182849, 0.887537083981715),
        (-0.1, -0.1124629160182849, 1.1124629160182848),
        (0.25, 0.27632639016823696, 0.7236736098317631),
        (-0.25, -0.27632639016823696, 1.276326390168237),
        (0.4999, 0.5204119951613866, 0.4795880048386134),
        (-0.4999, -0.5204119951613866, 1.5204119951613866),
        (0.5, 0.5204998778130465, 0.4795001221869535),
        (-0.5, -0.5204998778130465, 1.5204998778130465),
        (0.5001, 0.5205877516768808, 0.4794122483231193),
        (-0.5001, -0.5205877516768808, 1.5205877516768807),
        (0.75, 0.7111556336535151, 0.28884436634648486),
        (-0.75, -0.7111556336535151, 1.7111556336535152),
        (0.9, 0.7969082124228322, 0.20309178757716786),
        (-0.9, -0.7969082124228322, 1.7969082124228322),
        (1.0, 0.8427007929497149, 0.15729920705028513),
        (-1.0, -0.8427007929497149, 1.8427007929497148),
        (1.25, 0.9229001282564583, 0.07709987174354177),
        (-1.25, -0.9229001282564583, 1.9229001282564582),
        (1.5, 0.9661051464753108, 0.033894853524689274),
        (-1.5, -0.9661051464753108, 1.9661051464753108),
        (1.999, 0.9953015566513705, 0.004698443348629487),
        (-1.999, -0.9953015566513705, 1.9953015566513705),
        (2.0, 0.9953222650189527, 0.004677734981047266),
        (-2.0, -0.9953222650189527, 1.9953222650189528),
        (2.5, 0.999593047982555, 0.0004069520174449589),
        (-2.5, -0.999593047982555, 1.999593047982555),
        (3.0, 0.9999779095030014, 2.209049699858544e-05),
        (-3.0, -0.9999779095030014, 1.9999779095030015),
        (3.5, 0.9999992569016276, 7.430983723414128e-07),
        (-3.5, -0.9999992569016276, 1.9999992569016276),
        (3.9999, 0.9999999845700388, 1.5429961215558176e-08),
        (-3.9999, -0.9999999845700388, 1.9999999845700387),
        (4.0, 0.9999999845827421, 1.541725790028002e-08),
        (-4.0, -0.9999999845827421, 1.999999984582742),
        (4.5, 0.9999999998033839, 1.9661604415428876e-10),
        (-4.5, -0.9999999998033839, 1.999999999803384),
        (5.0, 0.9999999999984626, 1.537459794428035e-12),
        (-5.0, -0.9999999999984626, 1.9999999999984626),
        (5.5, 0.9999999999999927, 7.357847917974398e-15),
        (-5.5, -0.9999999999999927, 1.9999999999999927),
        (5.9, 0.9999999999999999, 7.190409783550478e-17),
        (-5.9, -0.9999999999999999, 2.0),
        (6.0, 1.0, 2.1519736712498913e-17),
        (-6.0, -1.0, 2.0),
        (7.0, 1.0, 4.183825607779414e-23),
        (-7.0, -1.0, 2.0),
        (8.0, 1.0, 1.1224297172982926e-29),
        (-8.0, -1.0, 2.0),
        (10.0, 1.0, 2.088487583762545e-45),
        (-10.0, -1.0, 2.0),
        (12.0, 1.0, 1.3562611692059042e-64),
        (-12.0, -1.0, 2.0),
        (15.0, 1.0, 7.212994172451207e-100),
        (-15.0, -1.0, 2.0),
        (20.0, 1.0, 5.395865611607901e-176),
        (-20.0, -1.0, 2.0),
        (25.0, 1.0, 8.300172571196523e-274),
        (-25.0, -1.0, 2.0),
        (26.5, 1.0, 2.2109076642637343e-307),
        (-26.5, -1.0, 2.0),
        (27.0, 1.0, 5.23705e-319),
        (-27.0, -1.0, 2.0),
    ];
    private static readonly (double X, double Tanh)[] TanhReference =
    [
        (1e-300, 1e-300),
        (1e-12, 1e-12),
        (0.001, 0.0009999996666668),
        (0.05531775, 0.05526139388922413),
        (0.1, 0.09966799462495582),
        (0.3, 0.2913126124515909),
        (0.5, 0.46211715726000974),
        (0.75, 0.6351489523872873),
        (0.8892701500511123, 0.711033057890758),
        (0.999, 0.76117386166057),
        (1.0, 0.7615941559557649),
        (1.001, 0.7620138105510068),
        (1.5, 0.9051482536448664),
        (2.0, 0.9640275800758169),
        (3.0, 0.9950547536867305),
        (5.0, 0.9999092042625951),
        (10.0, 0.9999999958776927),
        (18.0, 0.9999999999999996),
        (19.0, 0.9999999999999999),
        (19.5, 1.0),
        (20.0, 1.0),
        (25.0, 1.0),
    ];
    private static readonly (double X, double Exp)[] ExpReference =
    [
        (-745.0, 5e-324),
        (-740.0, 4.2e-322),
        (-720.0, 2.0322308024e-313),
        (-708.5, 2.006132305331306e-308),
        (-100.0, 3.720075976020836e-44),
        (-1.0, 0.36787944117144233),
        (-0.3, 0.7408182206817179),
        (-1e-10, 0.9999999999),
        (1e-10, 1.0000000001),
        (0.3, 1.3498588075760032),
        (0.34657, 1.4142084849595797),
        (1.0, 2.718281828459045),
        (2.5, 12.182493960703473),
        (28.76593985071679, 3110920723001.219),
        (100.0, 2.6881171418161356e+43),
        (700.0, 1.0142320547350045e+304),
        (709.78, 1.7928227943945155e+308),
    ];
}
