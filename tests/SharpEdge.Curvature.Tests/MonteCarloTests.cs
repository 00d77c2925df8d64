using SharpEdge.Curvature;
using SharpEdge.Numerics;

namespace SharpEdge.Curvature.Tests;

public class MonteCarloTests
{
    private static double[] Normal(int n, ulong seed, double mean, double std)
    {
        var x = new double[n];
        new Rng(seed).FillNormal(x, mean, std);
        return x;
    }

    [Fact]
    public void MeanAndStandardErrorMatchTheTwoPassFormulas()
    {
        var x = Normal(500, 1, 1e6, 3); // a large mean: the naive Σx² formula would lose most digits
        var estimate = MonteCarlo.Mean(i => x[i], StoppingRule.Fixed(500), productsPerSample: 2);
        double mean = x.Average();
        double variance = x.Sum(v => (v - mean) * (v - mean)) / (x.Length - 1);
        Assert.Equal(mean, estimate.Value, 1e-14 * mean);
        Assert.Equal(Math.Sqrt(variance / x.Length), estimate.StandardError!.Value, 1e-12);
        Assert.Equal(500, estimate.Samples);
        Assert.Equal(1000, estimate.Products);
    }

    [Fact]
    public void RatioStandardErrorMatchesTheDeltaMethodClosedForm()
    {
        var b = Normal(400, 2, 5, 1);
        var noise = Normal(400, 3, 0, 0.5);
        var a = b.Select((v, i) => 2 * v + noise[i]).ToArray();
        var estimate = MonteCarlo.RatioOfMeans(i => (a[i], b[i]), StoppingRule.Fixed(400));
        double ma = a.Average(), mb = b.Average();
        double va = a.Sum(v => (v - ma) * (v - ma)) / 399, vb = b.Sum(v => (v - mb) * (v - mb)) / 399;
        double cov = a.Select((v, i) => (v - ma) * (b[i] - mb)).Sum() / 399;
        double expected = Math.Sqrt((va / (mb * mb) - 2 * ma * cov / (mb * mb * mb) + ma * ma * vb / (mb * mb * mb * mb)) / 400);
        Assert.Equal(ma / mb, estimate.Value, 1e-12);
        Assert.Equal(expected, estimate.StandardError!.Value, 1e-12);
    }

    [Fact]
    public void DeltaMethodStandardErrorMatchesTheSpreadOverReplications()
    {
        // Var of ā/b̄ over 400 replications of n = 200 pairs against the mean delta-method SE
        var ratios = new RunningMoments();
        var errors = new RunningMoments();
        var rng = new Rng(4);
        for (int rep = 0; rep < 400; rep++)
        {
            var pairs = new RunningCovariance();
            for (int i = 0; i < 200; i++)
            {
                double b = 4 + rng.NextNormal();
                pairs.Add(3 * b + 2 * rng.NextNormal() - 1, b);
            }
            ratios.Add(pairs.Ratio);
            errors.Add(pairs.RatioStandardError);
        }
        double empirical = Math.Sqrt(ratios.Variance);
        Assert.InRange(errors.Mean / empirical, 0.85, 1.15);
    }

    [Fact]
    public void StopsOnceTheRelativeStandardErrorIsReached()
    {
        var rng = new Rng(5);
        var estimate = MonteCarlo.Mean(_ => 10 + rng.NextNormal(), new StoppingRule(20, 100000, 0.01));
        Assert.True(estimate.StandardError <= 0.01 * Math.Abs(estimate.Value));
        // SE ≈ 1/√n must reach 0.1: about 100 samples, far below the cap
        Assert.InRange(estimate.Samples, 60, 160);
        var constant = MonteCarlo.Mean(_ => 0, new StoppingRule(5, 1000, 0.01));
        Assert.Equal(5, constant.Samples);
    }

    [Fact]
    public void MeanOfRatiosSkipsZeroDenominatorsButChargesThem()
    {
        var estimate = MonteCarlo.MeanOfRatios(i => (i % 4 == 0 ? 1 : 2 * (i + 1), i % 4 == 0 ? 0 : i + 1), StoppingRule.Fixed(40), productsPerSample: 1);
        Assert.Equal(2, estimate.Value, 1e-15);
        Assert.Equal(0, estimate.StandardError);
        Assert.Equal(30, estimate.Samples);
        Assert.Equal(40, estimate.Products);
    }

    [Fact]
    public void RejectsBadRules()
    {
        Assert.Contains("at least 2", Assert.Throws<ArgumentOutOfRangeException>(() => MonteCarlo.Mean(_ => 0, new StoppingRule(1, 10, 0.1))).Message);
        Assert.Contains("below the minimum", Assert.Throws<ArgumentOutOfRangeException>(() => MonteCarlo.Mean(_ => 0, new StoppingRule(10, 5, 0.1))).Message);
    }
}
