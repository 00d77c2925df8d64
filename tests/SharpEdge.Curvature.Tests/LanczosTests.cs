using SharpEdge.Curvature;
using static SharpEdge.Curvature.Tests.TestMatrices;

namespace SharpEdge.Curvature.Tests;

public class LanczosTests
{
    private static double[] UniformSpectrum(int n, double low, double high) =>
        Enumerable.Range(0, n).Select(i => low + (high - low) * i / (n - 1)).ToArray();

    [Fact]
    public void TopFiveMatchTheKnownSpectrum()
    {
        var spectrum = HessianLike(300, 1);
        var op = new CountingOperator(Operator(spectrum, 2));
        var result = new Lanczos { Count = 5, Tolerance = 1e-8 }.Solve(op);
        Assert.True(result.Converged);
        Assert.True(MaxRelativeError(result.Values, Largest(spectrum, 5)) < 1e-8);
        Assert.Equal(op.Products, result.Products);
        Assert.True(result.Products < 150, $"{result.Products} products");
    }

    [Fact]
    public void DominantNegativeEigenvalueDoesNotHideTheLargestAlgebraic()
    {
        var spectrum = UniformSpectrum(200, -1, 3);
        spectrum[0] = -50;
        spectrum[1] = -30;
        spectrum[^1] = 10;
        spectrum[^2] = 7;
        var op = Operator(spectrum, 3);
        var top = new Lanczos { Count = 1, Tolerance = 1e-8 }.Solve(op);
        Assert.Equal(10, top.Values[0], 1e-7);
        var five = new Lanczos { Count = 5, Tolerance = 1e-8 }.Solve(op);
        Assert.True(MaxRelativeError(five.Values, Largest(spectrum, 5)) < 1e-8);
        var magnitude = new Lanczos { Count = 2, Which = Spectrum.LargestMagnitude, Tolerance = 1e-8 }.Solve(op);
        Assert.Equal([-50.0, -30.0], magnitude.Values.Select(v => Math.Round(v, 6)));
        var smallest = new Lanczos { Count = 3, Which = Spectrum.SmallestAlgebraic, Tolerance = 1e-8 }.Solve(op);
        Assert.True(MaxRelativeError(smallest.Values, Smallest(spectrum, 3)) < 1e-8);
    }

    [Fact]
    public void PaigeResidualsAgreeWithTrueResidualsAndVectorsAreEigenvectors()
    {
        var spectrum = HessianLike(250, 4);
        var op = new CountingOperator(Operator(spectrum, 5));
        var result = new Lanczos { Count = 3, Tolerance = 1e-7, ReturnVectors = true, VerifyResiduals = true }.Solve(op);
        Assert.True(result.Converged);
        Assert.Equal(op.Products, result.Products);
        Assert.Equal(result.Iterations + 3, result.Products);
        var image = new double[250];
        for (int i = 0; i < 3; i++)
        {
            var x = result.Vectors![i];
            Assert.Equal(1.0, Math.Sqrt(x.Sum(t => t * t)), 1e-12);
            op.Apply(x, image);
            double residual = Math.Sqrt(image.Select((t, j) => Math.Pow(t - result.Values[i] * x[j], 2)).Sum());
            Assert.Equal(residual, result.Residuals[i], 1e-10);
            Assert.True(residual <= 1e-7 * Math.Abs(result.Values[i]));
        }
    }

    [Fact]
    public void WarmStartFromThePreviousEigenvectorNeedsFewerProducts()
    {
        var spectrum = HessianLike(300, 6);
        var cold = new Lanczos { Tolerance = 1e-6, ReturnVectors = true }.Solve(Operator(spectrum, 7));
        var nearby = spectrum.Select((x, i) => x * (1 + 0.01 * Math.Sin(i))).ToArray();
        var warm = new Lanczos { Tolerance = 1e-6 }.Solve(Operator(nearby, 7), cold.Vectors![0]);
        Assert.True(warm.Converged);
        Assert.Equal(nearby.Max(), warm.Values[0], 1e-8);
        Assert.True(warm.Products < cold.Products, $"warm {warm.Products} vs cold {cold.Products}");
    }

    [Fact]
    public void InvariantKrylovSpaceRestartsUntilEnoughValuesAreFound()
    {
        // rank one: the Krylov space of any start vector has dimension 2
        var spectrum = new double[60];
        spectrum[0] = 5;
        var result = new Lanczos { Count = 4, Tolerance = 1e-10 }.Solve(Operator(spectrum, 8));
        Assert.True(result.Converged);
        Assert.Equal(5, result.Values[0], 1e-12);
        for (int i = 1; i < 4; i++) Assert.Equal(0, result.Values[i], 1e-12);
    }

    [Fact]
    public void StopsAtTheIterationCapAndSaysSo()
    {
        var spectrum = UniformSpectrum(400, 0, 1); // no gap: slow
        var result = new Lanczos { Count = 1, Tolerance = 1e-12, MaxIterations = 10 }.Solve(Operator(spectrum, 9));
        Assert.False(result.Converged);
        Assert.Equal(10, result.Products);
    }

    [Fact]
    public void RejectsBadArguments()
    {
        var op = Operator(UniformSpectrum(10, 0, 1), 10);
        Assert.Contains("asked for 11", Assert.Throws<ArgumentOutOfRangeException>(() => new Lanczos { Count = 11 }.Solve(op)).Message);
        Assert.Contains("length 3", Assert.Throws<ArgumentException>(() => new Lanczos().Solve(op, new double[3])).Message);
        Assert.Throws<ArgumentOutOfRangeException>(() => new Lanczos { Tolerance = 0 }.Solve(op));
    }
}

public class LargeOperatorTests
{
    // long enough that Gram–Schmidt splits the vectors across threads
    private const int N = 60_000;

    [Fact]
    public void LanczosAndLobpcgFindTheTopOfALargeOperator()
    {
        var spectrum = HessianLike(N, 91);
        var op = new ReflectedDiagonalOperator(spectrum, 92);
        var expected = Largest(spectrum, 3);
        var lanczos = new Lanczos { Count = 3, Tolerance = 1e-8, VerifyResiduals = true }.Solve(op);
        Assert.True(lanczos.Converged);
        Assert.True(MaxRelativeError(lanczos.Values, expected) < 1e-9);
        var lobpcg = new Lobpcg { Count = 3, Tolerance = 1e-8, VerifyResiduals = true }.Solve(op);
        Assert.True(lobpcg.Converged);
        Assert.True(MaxRelativeError(lobpcg.Values, expected) < 1e-9);
    }
}
