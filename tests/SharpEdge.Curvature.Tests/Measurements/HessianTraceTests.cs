using SharpEdge.Curvature.Measurements;
using static SharpEdge.Curvature.Tests.Measurements.NetworkFixtures;

namespace SharpEdge.Curvature.Tests.Measurements;

public class HessianTraceTests
{
    [Fact]
    public void The_95_percent_interval_covers_the_exact_network_hessian_trace_at_nearly_the_nominal_rate()
    {
        var (objective, theta) = Problem("ce");
        objective.Linearize(theta, new double[theta.Length]);
        var h = Hessian(objective);
        double trace = 0;
        for (int i = 0; i < theta.Length; i++) trace += h[i * theta.Length + i];
        int covered = 0;
        const int seeds = 200;
        for (ulong seed = 0; seed < seeds; seed++)
        {
            var estimate = new HessianTrace().Measure(Context(objective, theta, seed, monteCarlo: MonteCarloSettings.Fixed(50))).Value;
            Assert.Equal(50, estimate.Products);
            var (low, high) = estimate.ConfidenceInterval();
            if (low <= trace && trace <= high) covered++;
        }
        // nominal 190 of 200; binomial SD ≈ 3, and a t-quantile of 49 d.o.f. costs about 0.5 % coverage
        Assert.InRange(covered, 178, 200);
    }

    [Fact]
    public void Default_rule_stops_on_one_percent_relative_error_or_256_probes()
    {
        var (objective, theta) = Problem();
        var estimate = new HessianTrace().Measure(Context(objective, theta)).Value;
        Assert.InRange(estimate.Samples, 20, 256);
        Assert.True(estimate.Samples == 256 || estimate.StandardError <= 0.01 * Math.Abs(estimate.Value));
    }
}
