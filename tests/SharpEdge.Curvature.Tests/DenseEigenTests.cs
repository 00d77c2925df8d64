using SharpEdge.Curvature;
using static SharpEdge.Curvature.Tests.TestMatrices;

namespace SharpEdge.Curvature.Tests;

public class DenseEigenTests
{
    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(7)]
    [InlineData(60)]
    public void DecompositionEqualsJacobi(int n)
    {
        var rng = new SharpEdge.Numerics.Rng((ulong)n);
        var a = new double[n * n];
        for (int i = 0; i < n; i++)
            for (int j = 0; j <= i; j++) a[i * n + j] = a[j * n + i] = rng.NextNormal();
        var (values, vectors) = DenseEigen.Decompose(a, n);
        var (reference, referenceVectors) = SymmetricEigen.Decompose(a, n);
        double scale = reference.Max(Math.Abs);
        for (int i = 0; i < n; i++) Assert.Equal(reference[i], values[i], 1e-12 * scale);
        Assert.Equal(values, DenseEigen.Eigenvalues(a, n), (x, y) => Math.Abs(x - y) <= 1e-12 * scale);
        for (int k = 0; k < n; k++)
        {
            // same eigenvector up to sign (the test spectra have no repeated values)
            double dot = 0;
            for (int r = 0; r < n; r++) dot += vectors[r * n + k] * referenceVectors[r * n + k];
            Assert.Equal(1, Math.Abs(dot), 1e-9);
        }
    }

    [Fact]
    public void KnownSpectrumWithRepeatedAndNegativeValues()
    {
        var spectrum = new double[120];
        for (int i = 0; i < spectrum.Length; i++) spectrum[i] = i < 10 ? 2 : i < 20 ? -3 : Math.Sin(i);
        var (matrix, _) = FromSpectrum(spectrum, 41);
        var (values, vectors) = DenseEigen.Decompose(matrix, 120);
        var sorted = spectrum.Order().ToArray();
        for (int i = 0; i < 120; i++) Assert.Equal(sorted[i], values[i], 1e-12);
        // A V = V Λ and VᵀV = I
        for (int k = 0; k < 120; k += 7)
            for (int r = 0; r < 120; r++)
            {
                double av = 0;
                for (int c = 0; c < 120; c++) av += matrix[r * 120 + c] * vectors[c * 120 + k];
                Assert.Equal(values[k] * vectors[r * 120 + k], av, 1e-12);
            }
    }

    [Fact]
    public void TridiagonalLaplacianHasItsCosineSpectrum()
    {
        const int n = 100;
        var diagonal = Enumerable.Repeat(2.0, n).ToArray();
        var off = Enumerable.Repeat(-1.0, n - 1).ToArray();
        var first = new double[n];
        first[0] = 1;
        TridiagonalEigen.Decompose(diagonal, off, first, 1);
        for (int k = 1; k <= n; k++)
        {
            Assert.Equal(2 - 2 * Math.Cos(k * Math.PI / (n + 1)), diagonal[k - 1], 1e-13);
            // first coordinate of the k-th eigenvector: √(2/(n+1)) sin(kπ/(n+1))
            Assert.Equal(2.0 / (n + 1) * Math.Pow(Math.Sin(k * Math.PI / (n + 1)), 2), first[k - 1] * first[k - 1], 1e-13);
        }
    }

    [Fact]
    public void SolverUsesExactlyNProductsAndReportsWhatWasAskedFor()
    {
        var spectrum = HessianLike(150, 42);
        spectrum[149] = -150;
        var op = new CountingOperator(Operator(spectrum, 43));
        var result = new DenseEigen { Count = 4, ReturnVectors = true }.Solve(op);
        Assert.Equal(150, op.Products);
        Assert.Equal(150, result.Products);
        Assert.True(MaxRelativeError(result.Values, Largest(spectrum, 4)) < 1e-12);
        Assert.All(result.Residuals, r => Assert.True(r < 1e-10));
        var magnitude = new DenseEigen { Count = 1, Which = Spectrum.LargestMagnitude }.Solve(op);
        Assert.Equal(-150, magnitude.Values[0], 1e-10);
    }
}
