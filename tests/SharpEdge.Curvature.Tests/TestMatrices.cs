using System.Numerics.Tensors;
using SharpEdge.Curvature;
using SharpEdge.Numerics;

namespace SharpEdge.Curvature.Tests;

/// <summary>Explicit symmetric matrices with known spectra, A = Q diag(λ) Qᵀ for a random orthogonal Q.</summary>
public static class TestMatrices
{
    /// <summary>A random orthogonal n×n matrix (row-major): Gram–Schmidt, twice, of Gaussian vectors; its rows are orthonormal.</summary>
    public static double[] RandomOrthogonal(int n, ulong seed)
    {
        var rng = new Rng(seed);
        var q = new double[n * n];
        rng.FillNormal(q);
        for (int i = 0; i < n; i++)
        {
            var row = q.AsSpan(i * n, n);
            for (int pass = 0; pass < 2; pass++)
                for (int k = 0; k < i; k++)
                {
                    var basis = q.AsSpan(k * n, n);
                    TensorPrimitives.MultiplyAdd(basis, -TensorPrimitives.Dot(basis, row), row, row);
                }
            TensorPrimitives.Divide(row, TensorPrimitives.Norm(row), row);
        }
        return q;
    }

    /// <summary>Σᵢ λᵢ uᵢuᵢᵀ with uᵢ the rows of a random orthogonal matrix; also returns those eigenvectors.</summary>
    public static (double[] Matrix, double[] Eigenvectors) FromSpectrum(double[] spectrum, ulong seed)
    {
        int n = spectrum.Length;
        var u = RandomOrthogonal(n, seed);
        var scaled = new double[n * n];
        for (int i = 0; i < n; i++) TensorPrimitives.Multiply(u.AsSpan(i * n, n), spectrum[i], scaled.AsSpan(i * n, n));
        var a = new double[n * n];
        // A = Uᵀ diag(λ) U with U's rows the eigenvectors
        Gemm.Multiply(true, false, n, n, n, 1.0, u, n, scaled, n, 0.0, a, n);
        for (int i = 0; i < n; i++)
            for (int j = i + 1; j < n; j++) a[i * n + j] = a[j * n + i] = 0.5 * (a[i * n + j] + a[j * n + i]);
        return (a, u);
    }

    public static DenseOperator Operator(double[] spectrum, ulong seed) => new(FromSpectrum(spectrum, seed).Matrix, spectrum.Length);

    /// <summary>
    /// A spectrum shaped like a trained network's Hessian: a few large outliers, a bulk concentrated near 0 and
    /// a tail of small negative eigenvalues.
    /// </summary>
    public static double[] HessianLike(int n, ulong seed, double[]? outliers = null)
    {
        outliers ??= [100, 62, 41, 27, 18, 11];
        var rng = new Rng(seed);
        var spectrum = new double[n];
        for (int i = 0; i < n; i++)
        {
            double u = rng.NextDouble();
            double magnitude = -Math.Log(1 - rng.NextDouble()); // Exp(1)
            spectrum[i] = u < 0.25 ? -0.2 * magnitude : 0.5 * magnitude;
        }
        for (int i = 0; i < outliers.Length; i++) spectrum[i] = outliers[i];
        return spectrum;
    }

    /// <summary>The k largest (descending) or smallest (ascending) of a spectrum.</summary>
    public static double[] Largest(double[] spectrum, int k) => spectrum.OrderByDescending(x => x).Take(k).ToArray();
    public static double[] Smallest(double[] spectrum, int k) => spectrum.OrderBy(x => x).Take(k).ToArray();

    /// <summary>Relative error |a − b|/|b| of each pair, the largest.</summary>
    public static double MaxRelativeError(IReadOnlyList<double> actual, IReadOnlyList<double> expected)
    {
        if (actual.Count != expected.Count) throw new ArgumentException($"{actual.Count} values, expected {expected.Count}");
        double worst = 0;
        for (int i = 0; i < expected.Count; i++) worst = Math.Max(worst, Math.Abs(actual[i] - expected[i]) / Math.Abs(expected[i]));
        return worst;
    }
}

/// <summary>Wraps an operator and counts the vectors it is applied to, block or single.</summary>
public sealed class CountingOperator(ILinearOperator inner) : ILinearOperator
{
    public int Products { get; private set; }
    public int Size => inner.Size;

    public void Apply(ReadOnlySpan<double> v, Span<double> result)
    {
        Products++;
        inner.Apply(v, result);
    }

    public void ApplyBlock(ReadOnlySpan<double> block, int count, Span<double> result)
    {
        Products += count;
        inner.ApplyBlock(block, count, result);
    }
}

/// <summary>
/// A = H₂H₁ diag(λ) H₁H₂ with random Householder reflections Hᵢ = I − 2uᵢuᵢᵀ: a dense-looking operator with a
/// known spectrum applied in O(n), for sizes where an explicit matrix would not fit.
/// </summary>
public sealed class ReflectedDiagonalOperator : ILinearOperator
{
    private readonly double[] spectrum;
    private readonly double[][] reflections;

    public ReflectedDiagonalOperator(double[] spectrum, ulong seed)
    {
        this.spectrum = spectrum;
        var rng = new Rng(seed);
        reflections = new double[2][];
        for (int i = 0; i < 2; i++)
        {
            var u = new double[spectrum.Length];
            rng.FillNormal(u);
            TensorPrimitives.Divide(u, TensorPrimitives.Norm(u), u);
            reflections[i] = u;
        }
    }

    public int Size => spectrum.Length;

    public void Apply(ReadOnlySpan<double> v, Span<double> result)
    {
        v.CopyTo(result);
        Reflect(reflections[1], result);
        Reflect(reflections[0], result);
        TensorPrimitives.Multiply(result, spectrum, result);
        Reflect(reflections[0], result);
        Reflect(reflections[1], result);
    }

    private static void Reflect(double[] u, Span<double> x) => TensorPrimitives.MultiplyAdd(u, -2 * TensorPrimitives.Dot(u, x), x, x);
}
