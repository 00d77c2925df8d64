using SharpEdge.Curvature;
using static SharpEdge.Curvature.Tests.TestMatrices;

namespace SharpEdge.Curvature.Tests;

public class LobpcgTests
{
    [Fact]
    public void TopFiveMatchTheKnownSpectrum()
    {
        var spectrum = HessianLike(300, 11);
        var op = new CountingOperator(Operator(spectrum, 12));
        var result = new Lobpcg { Count = 5, Tolerance = 1e-8 }.Solve(op);
        Assert.True(result.Converged);
        Assert.True(MaxRelativeError(result.Values, Largest(spectrum, 5)) < 1e-8);
        Assert.Equal(op.Products, result.Products);
    }

    [Fact]
    public void TopOneMatchesAndResidualsAreTrue()
    {
        var spectrum = HessianLike(400, 13);
        var op = Operator(spectrum, 14);
        var result = new Lobpcg { Tolerance = 1e-8, ReturnVectors = true, VerifyResiduals = true }.Solve(op);
        Assert.True(result.Converged);
        Assert.Equal(spectrum.Max(), result.Values[0], 1e-10 * spectrum.Max());
        Assert.True(result.Residuals[0] <= 1e-8 * result.Values[0]);
    }

    [Fact]
    public void DominantNegativeEigenvalueDoesNotHideTheLargestAlgebraic()
    {
        var spectrum = Enumerable.Range(0, 200).Select(i => -1 + 4.0 * i / 199).ToArray();
        spectrum[0] = -50;
        spectrum[1] = -30;
        spectrum[^1] = 10;
        spectrum[^2] = 7;
        var op = Operator(spectrum, 15);
        var five = new Lobpcg { Count = 5, Tolerance = 1e-8 }.Solve(op);
        Assert.True(five.Converged);
        Assert.True(MaxRelativeError(five.Values, Largest(spectrum, 5)) < 1e-8);
        var smallest = new Lobpcg { Count = 2, Which = Spectrum.SmallestAlgebraic, Tolerance = 1e-8 }.Solve(op);
        Assert.True(MaxRelativeError(smallest.Values, [-50.0, -30.0]) < 1e-8);
        Assert.Throws<NotSupportedException>(() => new Lobpcg { Which = Spectrum.LargestMagnitude }.Solve(op));
    }

    [Fact]
    public void WarmStartNeedsFewerProductsThanColdStart()
    {
        var spectrum = HessianLike(300, 16);
        var cold = new Lobpcg { Count = 3, Tolerance = 1e-6, ReturnVectors = true }.Solve(Operator(spectrum, 17));
        Assert.True(cold.Converged);
        // the next training step: the same eigenvectors, slightly moved eigenvalues
        var nearby = spectrum.Select((x, i) => x * (1 + 0.01 * Math.Cos(i))).ToArray();
        var warm = new Lobpcg { Count = 3, Tolerance = 1e-6 }.Solve(Operator(nearby, 17), cold.Vectors);
        Assert.True(warm.Converged);
        Assert.True(MaxRelativeError(warm.Values, Largest(nearby, 3)) < 1e-9);
        Assert.True(warm.Products * 2 < cold.Products, $"warm {warm.Products} vs cold {cold.Products}");
    }

    [Fact]
    public void BlockFindsBothCopiesOfARepeatedEigenvalue()
    {
        var spectrum = Enumerable.Range(0, 150).Select(i => i / 150.0).ToArray();
        spectrum[0] = spectrum[1] = 4;
        spectrum[2] = 3;
        var result = new Lobpcg { Count = 3, GuardVectors = 1, Tolerance = 1e-9 }.Solve(Operator(spectrum, 18));
        Assert.True(result.Converged);
        Assert.True(MaxRelativeError(result.Values, [4.0, 4.0, 3.0]) < 1e-10);
    }

    [Fact]
    public void WorksWhenTheBlockBasisExceedsTheDimension()
    {
        var spectrum = new double[] { 9, 7, 5, 3, 1, 0, -1, -2 };
        var result = new Lobpcg { Count = 3, Tolerance = 1e-10 }.Solve(Operator(spectrum, 19));
        Assert.True(result.Converged);
        Assert.True(MaxRelativeError(result.Values, [9.0, 7.0, 5.0]) < 1e-12);
    }

    [Fact]
    public void StopsAtTheIterationCapAndSaysSo()
    {
        var spectrum = Enumerable.Range(0, 300).Select(i => i / 299.0).ToArray();
        var result = new Lobpcg { Tolerance = 1e-13, MaxIterations = 5 }.Solve(Operator(spectrum, 20));
        Assert.False(result.Converged);
        Assert.Equal(5, result.Iterations);
        Assert.Equal(6, result.Products);
    }

    [Fact]
    public void RejectsBadArguments()
    {
        var op = Operator([3.0, 2, 1, 0], 21);
        Assert.Contains("does not fit", Assert.Throws<ArgumentOutOfRangeException>(() => new Lobpcg { Count = 3, GuardVectors = 2 }.Solve(op)).Message);
        Assert.Contains("initial vector 0 has length 2", Assert.Throws<ArgumentException>(() => new Lobpcg().Solve(op, [new double[2]])).Message);
    }
}
