using System.Buffers;
using System.Numerics;

namespace SharpEdge.Curvature;

/// <summary>
/// Eigendecomposition of a symmetric tridiagonal matrix T = V Θ Vᵀ by the implicit QL algorithm with
/// Wilkinson shifts (Bowdler, Martin, Reinsch and Wilkinson 1968; Golub and Van Loan §8.3): each sweep chases
/// a bulge up the unreduced block with Givens rotations until the off-diagonal entry next to the shifted
/// eigenvalue falls below ε relative to its diagonal neighbours. O(n²) for the eigenvalues alone.
/// </summary>
/// <remarks>
/// The rotations are applied to n caller-supplied rows of any width w: on return row j holds
/// Σᵢ V[i, j]·rowᵢ. Rows of the identity give the eigenvectors of T; the rows of Qᵀ (Q from a Householder
/// reduction A = Q T Qᵀ) give the eigenvectors of A; width-1 rows holding one unit coordinate give that
/// coordinate of every eigenvector (the last one for Paige's Lanczos residuals, the first one for Gauss
/// quadrature weights) in O(n²).
/// </remarks>
public static class TridiagonalEigen
{
    private const int MaxSweepsPerEigenvalue = 60;
    private const double Epsilon = 2.220446049250313e-16; // 2⁻⁵², machine epsilon of double

    /// <summary>
    /// Overwrites <paramref name="diagonal"/> with the eigenvalues in ascending order and transforms
    /// <paramref name="rows"/> (n rows of <paramref name="width"/> values, row-major) as described above,
    /// permuted to match. <paramref name="offDiagonal"/> holds T[i, i+1] for i &lt; n−1 and is not modified.
    /// </summary>
    public static void Decompose(Span<double> diagonal, ReadOnlySpan<double> offDiagonal, Span<double> rows, int width)
    {
        int n = diagonal.Length;
        if (n == 0) throw new ArgumentException("the tridiagonal matrix is empty", nameof(diagonal));
        if (offDiagonal.Length != n - 1) throw new ArgumentException($"an {n}x{n} tridiagonal matrix has {n - 1} off-diagonal values, got {offDiagonal.Length}", nameof(offDiagonal));
        if (width < 0) throw new ArgumentOutOfRangeException(nameof(width), width, "the row width must be non-negative");
        if (rows.Length != (long)n * width) throw new ArgumentException($"{n} rows of width {width} need {(long)n * width} values, got {rows.Length}", nameof(rows));
        var pooled = ArrayPool<double>.Shared.Rent(n);
        try
        {
            var e = pooled.AsSpan(0, n);
            offDiagonal.CopyTo(e);
            e[n - 1] = 0;
            double norm = 0;
            for (int i = 0; i < n; i++) norm = Math.Max(norm, Math.Abs(diagonal[i]) + Math.Abs(e[i]));
            Iterate(diagonal, e, rows, width, norm);
        }
        finally
        {
            ArrayPool<double>.Shared.Return(pooled);
        }
        SortAscending(diagonal, rows, width);
    }

    private static void Iterate(Span<double> d, Span<double> e, Span<double> rows, int width, double norm)
    {
        int n = d.Length;
        // Below this an off-diagonal entry is negligible even next to zero diagonal entries (absolute error ~ε²‖T‖).
        double floor = 1e-32 * norm;
        for (int l = 0; l < n; l++)
        {
            for (int sweep = 0; ; sweep++)
            {
                int m = l;
                for (; m < n - 1; m++)
                {
                    double scale = Math.Abs(d[m]) + Math.Abs(d[m + 1]);
                    if (Math.Abs(e[m]) <= Math.Max(Epsilon * scale, floor)) break;
                }
                if (m == l) break;
                if (sweep == MaxSweepsPerEigenvalue)
                    throw new InvalidOperationException($"implicit QL did not converge for eigenvalue {l} of a {n}x{n} tridiagonal matrix in {MaxSweepsPerEigenvalue} sweeps");
                // Wilkinson shift: the eigenvalue of the leading 2×2 block of the unreduced part nearer d[l].
                double g = (d[l + 1] - d[l]) / (2 * e[l]);
                double r = double.Hypot(g, 1);
                g = d[m] - d[l] + e[l] / (g + Math.CopySign(r, g));
                double s = 1, c = 1, p = 0;
                bool deflated = false;
                for (int i = m - 1; i >= l; i--)
                {
                    double f = s * e[i], b = c * e[i];
                    r = double.Hypot(f, g);
                    e[i + 1] = r;
                    if (r == 0)
                    {
                        // the bulge vanished: T split early, restart on the smaller block
                        d[i + 1] -= p;
                        e[m] = 0;
                        deflated = true;
                        break;
                    }
                    s = f / r;
                    c = g / r;
                    g = d[i + 1] - p;
                    r = (d[i] - g) * s + 2 * c * b;
                    p = s * r;
                    d[i + 1] = g + p;
                    g = c * r - b;
                    if (width > 0) Rotate(rows.Slice(i * width, width), rows.Slice((i + 1) * width, width), c, s);
                }
                if (deflated) continue;
                d[l] -= p;
                e[l] = g;
                e[m] = 0;
            }
        }
    }

    /// <summary>(x, y) ← (c x − s y, s x + c y), element-wise.</summary>
    private static void Rotate(Span<double> x, Span<double> y, double c, double s)
    {
        int i = 0;
        if (Vector.IsHardwareAccelerated && x.Length >= Vector<double>.Count)
        {
            var vc = new Vector<double>(c);
            var vs = new Vector<double>(s);
            for (; i <= x.Length - Vector<double>.Count; i += Vector<double>.Count)
            {
                var xi = new Vector<double>(x[i..]);
                var yi = new Vector<double>(y[i..]);
                (vc * xi - vs * yi).CopyTo(x[i..]);
                (vs * xi + vc * yi).CopyTo(y[i..]);
            }
        }
        for (; i < x.Length; i++)
        {
            double xi = x[i], yi = y[i];
            x[i] = c * xi - s * yi;
            y[i] = s * xi + c * yi;
        }
    }

    private static void SortAscending(Span<double> values, Span<double> rows, int width)
    {
        int n = values.Length;
        for (int i = 0; i < n - 1; i++)
        {
            int min = i;
            for (int j = i + 1; j < n; j++)
                if (values[j] < values[min]) min = j;
            if (min == i) continue;
            (values[i], values[min]) = (values[min], values[i]);
            var a = rows.Slice(i * width, width);
            var b = rows.Slice(min * width, width);
            for (int t = 0; t < width; t++) (a[t], b[t]) = (b[t], a[t]);
        }
    }
}
