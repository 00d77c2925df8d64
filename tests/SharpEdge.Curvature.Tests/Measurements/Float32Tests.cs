using SharpEdge.Curvature.Measurements;
using SharpEdge.Nn;
using SharpEdge.Numerics;
using static SharpEdge.Curvature.Tests.Measurements.NetworkFixtures;

namespace SharpEdge.Curvature.Tests.Measurements;

/// <summary>The float32 engine gives the float64 values to float32 accuracy, for every measurement.</summary>
public class Float32Tests
{
    [Fact]
    public void Float64_dot_of_float32_vectors_matches_a_double_loop()
    {
        var rng = new Rng(4);
        foreach (var n in new[] { 0, 1, 7, 8, 9, 1000, 100_003 })
        {
            var x = new float[n];
            var y = new float[n];
            rng.FillNormal(x);
            rng.FillNormal(y);
            double expected = 0;
            for (int i = 0; i < n; i++) expected += (double)x[i] * y[i];
            Assert.Equal(expected, Float64Dot.Of<float>(x, y), 1e-9 * Math.Max(1, Math.Sqrt(n)));
        }
    }

    [Fact]
    public void Every_measurement_agrees_with_float64()
    {
        var data64 = Data("mse", 16);
        var network64 = Network();
        var theta64 = Parameters(network64);
        var network32 = ModelSpec.Parse(Spec).Build<float>([5], 3);
        var data32 = new Samples<float>(data64.Inputs.Select(v => (float)v).ToArray(), [5], data64.Targets!.Select(v => (float)v).ToArray(), 3, null);
        var theta32 = theta64.Select(v => (float)v).ToArray();
        var initial64 = theta64.Select(v => v * 0.5).ToArray();
        var momentum64 = theta64.Select((v, i) => 0.01 * Math.Cos(i)).ToArray();
        int[] trainingBatch = [1, 4, 9, 15];

        var context64 = new MeasurementContext<double>(new Objective<double>(network64, new MeanSquaredError<double>(), data64), theta64)
        {
            Seed = 3, BatchSize = 4, LearningRate = 0.05, TrainingBatch = trainingBatch, InitialParameters = initial64,
            MomentumBuffer = momentum64, Momentum = 0.9, Method = EigenMethod.Lanczos, MonteCarlo = MonteCarloSettings.Fixed(64),
        };
        var context32 = new MeasurementContext<float>(new Objective<float>(network32, new MeanSquaredError<float>(), data32), theta32)
        {
            Seed = 3, BatchSize = 4, LearningRate = 0.05, TrainingBatch = trainingBatch, InitialParameters = initial64.Select(v => (float)v).ToArray(),
            MomentumBuffer = momentum64.Select(v => (float)v).ToArray(), Momentum = 0.9, Method = EigenMethod.Lanczos, MonteCarlo = MonteCarloSettings.Fixed(64),
        };
        foreach (var m in MeasurementRegistry.All)
        {
            var measurement = m.Name == "second-moment-contraction" ? m.WithArgument(8) : m;
            var a = measurement.Measure(context64).Metrics().ToArray();
            var b = measurement.Measure(context32).Metrics().ToArray();
            Assert.Equal(a.Select(x => x.Metric), b.Select(x => x.Metric));
            for (int i = 0; i < a.Length; i++)
            {
                // the one-step change subtracts two losses: its float32 error is relative to L/(η‖g‖²), not to itself
                double scale = m.Name == "one-step-loss-change" ? 1 : Math.Abs(a[i].Estimate.Value);
                Assert.True(Math.Abs(a[i].Estimate.Value - b[i].Estimate.Value) <= 2e-3 * scale + 1e-6,
                    $"{a[i].Metric}: float64 {a[i].Estimate.Value}, float32 {b[i].Estimate.Value}");
            }
        }
    }
}
