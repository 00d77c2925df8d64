using SharpEdge.Curvature;
using static SharpEdge.Curvature.Tests.TestMatrices;

namespace SharpEdge.Curvature.Tests;

public class PowerIterationTests
{
    // diag(1, −5, 0.5, …) rotated: the spec §6 example where the three reference solvers disagree
    private static double[] NegativeDominant()
    {
        var spectrum = Enumerable.Range(0, 100).Select(i => 0.5 * i / 99).ToArray();
        spectrum[0] = 1;
        spectrum[1] = -5;
        return spectrum;
    }

    [Fact]
    public void ReturnsTheSignedDominantEigenvalue()
    {
        var op = new CountingOperator(Operator(NegativeDominant(), 31));
        var result = new PowerIteration { Tolerance = 1e-8 }.Solve(op);
        Assert.True(result.Converged);
        Assert.Equal(-5, result.Values[0], 1e-12);
        Assert.Equal(op.Products, result.Products);
    }

    [Fact]
    public void ShiftedVariantReturnsTheLargestAlgebraic()
    {
        var op = Operator(NegativeDominant(), 32);
        var top = new PowerIteration { Which = Spectrum.LargestAlgebraic, Tolerance = 1e-8, ReturnVectors = true }.Solve(op);
        Assert.True(top.Converged);
        Assert.Equal(1, top.Values[0], 1e-10);
        var bottom = new PowerIteration { Which = Spectrum.SmallestAlgebraic, Tolerance = 1e-8 }.Solve(op);
        Assert.Equal(-5, bottom.Values[0], 1e-10);
    }

    [Fact]
    public void PositiveDominantNeedsNoShift()
    {
        var spectrum = HessianLike(200, 33);
        var result = new PowerIteration { Which = Spectrum.LargestAlgebraic, Tolerance = 1e-8 }.Solve(Operator(spectrum, 34));
        Assert.True(result.Converged);
        Assert.Equal(spectrum.Max(), result.Values[0], 1e-9 * spectrum.Max());
    }

    [Fact]
    public void EqualMagnitudePairNeverConverges()
    {
        var spectrum = Enumerable.Range(0, 50).Select(i => i / 50.0).ToArray();
        spectrum[0] = 3;
        spectrum[1] = -3;
        var result = new PowerIteration { MaxIterations = 200 }.Solve(Operator(spectrum, 35));
        Assert.False(result.Converged);
        Assert.Equal(200, result.Products);
    }
}
