using SharpEdge.Curvature;
using static SharpEdge.Curvature.Tests.TestMatrices;

namespace SharpEdge.Curvature.Tests;

public class HutchinsonTests
{
    [Fact]
    public void NinetyFivePercentIntervalCoversTheTraceAtNearlyTheNominalRate()
    {
        var spectrum = Enumerable.Range(0, 100).Select(i => -1 + 3 * Math.Sin(0.37 * i) * Math.Sin(0.37 * i)).ToArray();
        var op = Operator(spectrum, 61);
        double trace = spectrum.Sum();
        int covered = 0;
        const int seeds = 200;
        for (ulong seed = 0; seed < seeds; seed++)
        {
            var estimate = new Hutchinson { Seed = seed, Stopping = StoppingRule.Fixed(50) }.Trace(op);
            var (low, high) = estimate.ConfidenceInterval();
            if (low <= trace && trace <= high) covered++;
        }
        // nominal 190 of 200; binomial SD ≈ 3, and a t-quantile of 49 d.o.f. costs about 0.5 % coverage
        Assert.InRange(covered, 180, 199);
    }

    [Fact]
    public void StopsOnRelativeStandardErrorAndCountsProducts()
    {
        var spectrum = HessianLike(200, 62);
        var op = new CountingOperator(Operator(spectrum, 63));
        var estimate = new Hutchinson { Stopping = new StoppingRule(20, 5000, 0.02) }.Trace(op);
        Assert.Equal(op.Products, estimate.Products);
        Assert.Equal(estimate.Samples, estimate.Products);
        Assert.True(estimate.StandardError <= 0.02 * Math.Abs(estimate.Value));
        Assert.InRange(estimate.Value, spectrum.Sum() - 5 * estimate.StandardError!.Value, spectrum.Sum() + 5 * estimate.StandardError!.Value);
    }

    [Fact]
    public void GaussianProbesAreUnbiasedToo()
    {
        var spectrum = HessianLike(150, 64);
        var estimate = new Hutchinson { Probes = ProbeDistribution.Gaussian, Stopping = StoppingRule.Fixed(400), Seed = 3 }.Trace(Operator(spectrum, 65));
        Assert.InRange(estimate.Value, spectrum.Sum() - 4 * estimate.StandardError!.Value, spectrum.Sum() + 4 * estimate.StandardError!.Value);
    }
}

public class HutchPlusPlusTests
{
    [Fact]
    public void BeatsHutchinsonAtEqualBudgetOnALowRankDominatedSpectrum()
    {
        // λᵢ = 100/i²: the first few eigenvalues hold most of the trace
        var spectrum = Enumerable.Range(1, 300).Select(i => 100.0 / (i * i)).ToArray();
        var op = Operator(spectrum, 71);
        double trace = spectrum.Sum();
        double plusSquared = 0, plainSquared = 0;
        const int budget = 60, seeds = 30;
        for (ulong seed = 0; seed < seeds; seed++)
        {
            var plus = new HutchPlusPlus { Budget = budget, Seed = seed }.Trace(op);
            Assert.Equal(budget, plus.Products);
            var plain = new Hutchinson { Stopping = StoppingRule.Fixed(budget), Seed = seed }.Trace(op);
            plusSquared += Math.Pow(plus.Value - trace, 2);
            plainSquared += Math.Pow(plain.Value - trace, 2);
        }
        double plusRms = Math.Sqrt(plusSquared / seeds), plainRms = Math.Sqrt(plainSquared / seeds);
        Assert.True(plusRms < 0.2 * plainRms, $"Hutch++ RMS error {plusRms:G3} vs Hutchinson {plainRms:G3}");
    }

    [Fact]
    public void IsExactForARankBelowTheSketchAndGivesTheSpareProductsToProbes()
    {
        var spectrum = new double[80];
        spectrum[0] = 7;
        spectrum[1] = -2;
        spectrum[2] = 3;
        var op = new CountingOperator(Operator(spectrum, 72));
        var estimate = new HutchPlusPlus { Budget = 30 }.Trace(op);
        Assert.Equal(8, estimate.Value, 1e-9);
        Assert.True(estimate.StandardError < 1e-9);
        Assert.Equal(30, op.Products);
        Assert.Equal(30 - 10 - 3, estimate.Samples); // a rank-3 sketch leaves 17 residual probes
    }
}

public class StochasticLanczosQuadratureTests
{
    [Fact]
    public void TraceAndMomentsMatchTheExactSpectrum()
    {
        var spectrum = HessianLike(300, 81);
        var op = new CountingOperator(Operator(spectrum, 82));
        var density = new StochasticLanczosQuadrature { Steps = 40, Probes = 30, Seed = 1 }.Run(op);
        Assert.Equal(40 * 30, density.Products);
        Assert.Equal(op.Products, density.Products);
        for (int k = 1; k <= 3; k++)
        {
            double exact = spectrum.Sum(x => Math.Pow(x, k)) / spectrum.Length;
            var moment = density.Moment(k);
            Assert.InRange(exact, moment.Value - 4 * moment.StandardError!.Value, moment.Value + 4 * moment.StandardError!.Value);
        }
        Assert.Equal(1, density.Moment(0).Value, 1e-12); // the weights of each probe sum to 1
        Assert.All(density.Nodes, nodes => Assert.All(nodes, t => Assert.InRange(t, spectrum.Min() - 1e-9, spectrum.Max() + 1e-9)));
    }

    [Fact]
    public void TraceEqualsHutchinsonWithTheSameProbes()
    {
        // n·e₁ᵀT e₁ = n·vᵀAv = zᵀAz for v = z/√n
        var spectrum = HessianLike(120, 83);
        var op = Operator(spectrum, 84);
        var slq = new StochasticLanczosQuadrature { Steps = 10, Probes = 25, Seed = 9 }.Run(op).Trace();
        var hutchinson = new Hutchinson { Stopping = StoppingRule.Fixed(25), Seed = 9 }.Trace(op);
        Assert.Equal(hutchinson.Value, slq.Value, 1e-9 * Math.Abs(hutchinson.Value));
        Assert.Equal(hutchinson.StandardError!.Value, slq.StandardError!.Value, 1e-9 * hutchinson.StandardError!.Value);
    }

    [Fact]
    public void BroadenedDensityIntegratesToOneAndPeaksAtTheBulk()
    {
        var spectrum = HessianLike(200, 85);
        var density = new StochasticLanczosQuadrature { Steps = 30, Probes = 5 }.Run(Operator(spectrum, 86));
        var grid = density.Grid(4000, 5);
        var phi = density.Density(grid, 0.5);
        double integral = 0;
        for (int i = 1; i < grid.Length; i++) integral += 0.5 * (phi[i] + phi[i - 1]) * (grid[i] - grid[i - 1]);
        Assert.Equal(1, integral, 1e-6);
        Assert.InRange(grid[Array.IndexOf(phi, phi.Max())], -1, 2);
    }
}
