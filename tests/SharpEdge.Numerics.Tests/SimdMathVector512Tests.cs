using System.Runtime.Intrinsics;
using SharpEdge.Numerics;

namespace SharpEdge.Numerics.Tests;

public class SimdMathVector512Tests
{
    private static long UlpDistance(double actual, double expected)
    {
        static long Ordered(double value)
        {
            long bits = BitConverter.DoubleToInt64Bits(value);
            return bits < 0 ? -(bits & long.MaxValue) : bits;
        }
        if (double.IsNaN(actual) || double.IsNaN(expected)) return double.IsNaN(actual) && double.IsNaN(expected) ? 0 : long.MaxValue;
        return Math.Abs(Ordered(actual) - Ordered(expected));
    }

    private static double[] Samples()
    {
        var random = new Random(12345);
        var samples = new List<double> { 0.0, -0.0, 1.0, -1.0, 0.9999999999999999, 1.0000000000000002, 19.0, 19.1, 20.0, 20.5, 1e-300, -1e-300,
            double.Epsilon, 700.0, -700.0, double.MaxValue, double.PositiveInfinity, double.NegativeInfinity, double.NaN };
        for (int i = 0; i < 200_000; i++)
        {
            double magnitude = Math.Pow(10.0, -8 + 9.5 * random.NextDouble());
            samples.Add(random.Next(2) == 0 ? magnitude : -magnitude);
        }
        for (int i = 0; i < 100_000; i++) samples.Add(-3.0 + 6.0 * random.NextDouble());
        while (samples.Count % 8 != 0) samples.Add(0.5);
        return samples.ToArray();
    }

    // The acceptance: within 2 ulp of Math.Tanh; and lane-for-lane equal to the Vector256 kernel.
    [SkippableFact]
    public void WithinTwoUlpOfMathTanhAndEqualToTheVector256Kernel()
    {
        Skip.IfNot(SimdMath.IsVector512Accelerated && SimdMath.IsHardwareAccelerated, "no AVX-512 on this machine");
        double[] x = Samples();
        long worst = 0;
        double worstAt = 0.0;
        for (int i = 0; i < x.Length; i += 8)
        {
            var result = SimdMath.Tanh(Vector512.Create(x.AsSpan(i, 8)));
            var lower = SimdMath.Tanh(Vector256.Create(x.AsSpan(i, 4)));
            var upper = SimdMath.Tanh(Vector256.Create(x.AsSpan(i + 4, 4)));
            for (int lane = 0; lane < 8; lane++)
            {
                double value = result.GetElement(lane);
                long distance = UlpDistance(value, Math.Tanh(x[i + lane]));
                if (distance > worst) (worst, worstAt) = (distance, x[i + lane]);
                double vector256 = lane < 4 ? lower.GetElement(lane) : upper.GetElement(lane - 4);
                Assert.Equal(BitConverter.DoubleToInt64Bits(vector256), BitConverter.DoubleToInt64Bits(value));
            }
        }
        Assert.True(worst <= 2, $"{worst} ulp from Math.Tanh at x = {worstAt:R}");
    }
}
