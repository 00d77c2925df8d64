using System.Diagnostics;
using System.Numerics.Tensors;

namespace SharpEdge.Curvature;

/// <summary>
/// The exact eigendecomposition of an operator through its explicit matrix: n products with the unit vectors
/// (<see cref="LinearOperator.ToDense"/>), Householder reduction to tridiagonal form A = Q T Qᵀ
/// (<see cref="HouseholderTridiagonal"/>) and implicit QL on T (<see cref="TridiagonalEigen"/>), the
/// tred2/tql2 pairing of the Handbook for Automatic Computation. O(n²) memory and about 9n³ flops with vectors,
/// so it pays off only when n is at most a few hundred, or the whole spectrum is wanted.
/// </summary>
public sealed class DenseEigen
{
    /// <summary>How many eigenpairs to report (at most n).</summary>
    public int Count { get; init; } = 1;
    public Spectrum Which { get; init; } = Spectrum.LargestAlgebraic;
    public bool ReturnVectors { get; init; }

    /// <summary>
    /// Builds the matrix (n products, in blocks through <see cref="ILinearOperator.ApplyBlock"/>) and reports the
    /// wanted eigenpairs. Residuals are the true ‖A x − λ x‖ on the explicit matrix (no further products);
    /// <see cref="EigenResult.Converged"/> is always true.
    /// </summary>
    public EigenResult Solve(ILinearOperator op)
    {
        ArgumentNullException.ThrowIfNull(op);
        int n = op.Size;
        if (Count < 1 || Count > n) throw new ArgumentOutOfRangeException(nameof(Count), Count, $"asked for {Count} eigenvalues of a {n}x{n} operator");
        var clock = Stopwatch.StartNew();
        var matrix = LinearOperator.ToDense(op);
        var work = (double[])matrix.Clone();
        var values = new double[n];
        var rows = new double[(long)n * n];
        DecomposeInPlace(work, n, values, rows);
        var wanted = Which.Select(values, Count);
        var vectors = new double[wanted.Length][];
        var residuals = new double[wanted.Length];
        var image = new double[n];
        for (int i = 0; i < wanted.Length; i++)
        {
            var x = rows.AsSpan(wanted[i] * n, n);
            for (int r = 0; r < n; r++) image[r] = TensorPrimitives.Dot(matrix.AsSpan(r * n, n), x);
            TensorPrimitives.MultiplyAdd(x, -values[wanted[i]], image, image);
            residuals[i] = TensorPrimitives.Norm(image);
            vectors[i] = x.ToArray();
        }
        return new EigenResult(wanted.Select(i => values[i]).ToArray(), ReturnVectors ? vectors : null, residuals, n, clock.Elapsed.TotalSeconds, true, 1);
    }

    /// <summary>
    /// All eigenvalues of a symmetric row-major n×n matrix in ascending order, and the eigenvectors as the
    /// columns of a row-major n×n matrix (the layout of <see cref="SymmetricEigen.Decompose"/>). The whole matrix
    /// is read, so it must be symmetric.
    /// </summary>
    public static (double[] Values, double[] Vectors) Decompose(ReadOnlySpan<double> matrix, int n)
    {
        if (n < 1) throw new ArgumentOutOfRangeException(nameof(n), n, "a matrix needs at least one row");
        if (matrix.Length != (long)n * n) throw new ArgumentException($"a {n}x{n} matrix needs {(long)n * n} values, got {matrix.Length}", nameof(matrix));
        var work = matrix.ToArray();
        var values = new double[n];
        var rows = new double[(long)n * n];
        DecomposeInPlace(work, n, values, rows);
        // rows hold the eigenvectors; transpose them into columns
        for (int i = 0; i < n; i++)
            for (int j = i + 1; j < n; j++)
                (rows[i * n + j], rows[j * n + i]) = (rows[j * n + i], rows[i * n + j]);
        return (values, rows);
    }

    /// <summary>All eigenvalues of a symmetric row-major n×n matrix in ascending order, without vectors (about (4/3)n³ flops).</summary>
    public static double[] Eigenvalues(ReadOnlySpan<double> matrix, int n)
    {
        if (n < 1) throw new ArgumentOutOfRangeException(nameof(n), n, "a matrix needs at least one row");
        if (matrix.Length != (long)n * n) throw new ArgumentException($"a {n}x{n} matrix needs {(long)n * n} values, got {matrix.Length}", nameof(matrix));
        var work = matrix.ToArray();
        var values = new double[n];
        var off = new double[n - 1];
        HouseholderTridiagonal.Reduce(work, n, values, off, default);
        TridiagonalEigen.Decompose(values, off, default, 0);
        return values;
    }

    /// <summary>
    /// Eigenvalues (ascending) into <paramref name="values"/> and unit eigenvectors into the rows of
    /// <paramref name="rows"/> (row j belongs to value j); <paramref name="work"/> is destroyed.
    /// </summary>
    internal static void DecomposeInPlace(Span<double> work, int n, Span<double> values, Span<double> rows)
    {
        Span<double> off = n <= 256 ? stackalloc double[n - 1] : new double[n - 1];
        HouseholderTridiagonal.Reduce(work, n, values, off, rows);
        TridiagonalEigen.Decompose(values, off, rows, n);
    }
}
