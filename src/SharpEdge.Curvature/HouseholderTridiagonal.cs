using System.Buffers;
using System.Numerics.Tensors;

namespace SharpEdge.Curvature;

/// <summary>
/// Reduction of a dense symmetric matrix to tridiagonal form, A = Q T Qᵀ, by n−2 Householder reflections
/// Hₖ = I − βₖ vₖ vₖᵀ (Golub and Van Loan, Algorithm 8.3.1). Each reflection is applied to the trailing block
/// as the symmetric rank-2 update B ← B − v wᵀ − w vᵀ with p = βBv, w = p − (β vᵀp / 2) v, so every inner loop
/// runs over a contiguous row. About (4/3)n³ flops, plus (4/3)n³ to form Qᵀ by backward accumulation.
/// </summary>
internal static class HouseholderTridiagonal
{
    /// <summary>
    /// Reduces <paramref name="a"/> (row-major n×n, symmetric, destroyed) and writes T's diagonal and
    /// off-diagonal; when <paramref name="qTransposed"/> is not empty (n×n), it receives Qᵀ, whose row i is
    /// column i of Q.
    /// </summary>
    public static void Reduce(Span<double> a, int n, Span<double> diagonal, Span<double> offDiagonal, Span<double> qTransposed)
    {
        if (a.Length != (long)n * n) throw new ArgumentException($"a {n}x{n} matrix needs {(long)n * n} values, got {a.Length}", nameof(a));
        if (diagonal.Length != n || offDiagonal.Length != Math.Max(n - 1, 0)) throw new ArgumentException($"an {n}x{n} tridiagonal matrix needs {n} diagonal and {n - 1} off-diagonal values");
        if (!qTransposed.IsEmpty && qTransposed.Length != (long)n * n) throw new ArgumentException($"Qᵀ of a {n}x{n} matrix needs {(long)n * n} values, got {qTransposed.Length}", nameof(qTransposed));
        var pooled = ArrayPool<double>.Shared.Rent(2 * n);
        try
        {
            var betas = pooled.AsSpan(0, n);
            var p = pooled.AsSpan(n, n);
            betas.Clear();
            for (int k = 0; k + 2 < n; k++)
            {
                int r = n - k - 1;
                diagonal[k] = a[k * n + k];
                // row k to the right of the diagonal equals column k below it; it becomes the Householder vector
                var v = a.Slice(k * n + k + 1, r);
                double norm = TensorPrimitives.Norm(v);
                if (norm == 0)
                {
                    offDiagonal[k] = 0;
                    continue;
                }
                double alpha = v[0] > 0 ? -norm : norm; // the sign that avoids cancellation in v₀ − α
                v[0] -= alpha;
                double beta = 1 / (norm * (norm + Math.Abs(v[0] + alpha))); // 2 / vᵀv, since vᵀv = 2‖x‖(‖x‖ + |x₀|)
                betas[k] = beta;
                offDiagonal[k] = alpha;
                var w = p[..r];
                for (int i = 0; i < r; i++) w[i] = beta * TensorPrimitives.Dot(a.Slice((k + 1 + i) * n + k + 1, r), v);
                double half = 0.5 * beta * TensorPrimitives.Dot(v, w);
                TensorPrimitives.MultiplyAdd(v, -half, w, w);
                for (int i = 0; i < r; i++)
                {
                    var row = a.Slice((k + 1 + i) * n + k + 1, r);
                    TensorPrimitives.MultiplyAdd(w, -v[i], row, row);
                    TensorPrimitives.MultiplyAdd(v, -w[i], row, row);
                }
            }
            if (n >= 2)
            {
                diagonal[n - 2] = a[(n - 2) * n + n - 2];
                offDiagonal[n - 2] = a[(n - 2) * n + n - 1];
            }
            diagonal[n - 1] = a[(n - 1) * n + n - 1];
            if (!qTransposed.IsEmpty) AccumulateTransposed(a, n, betas, qTransposed);
        }
        finally
        {
            ArrayPool<double>.Shared.Return(pooled);
        }
    }

    /// <summary>
    /// Qᵀ = H_{n−3} ⋯ H₀, formed as I·H_{n−3}·…·H₀ from the right so that before step k only the trailing
    /// block from k+1 differs from the identity.
    /// </summary>
    private static void AccumulateTransposed(ReadOnlySpan<double> a, int n, ReadOnlySpan<double> betas, Span<double> qt)
    {
        qt.Clear();
        for (int i = 0; i < n; i++) qt[i * n + i] = 1;
        for (int k = n - 3; k >= 0; k--)
        {
            if (betas[k] == 0) continue;
            int r = n - k - 1;
            var v = a.Slice(k * n + k + 1, r);
            for (int i = k + 1; i < n; i++)
            {
                var row = qt.Slice(i * n + k + 1, r);
                double s = betas[k] * TensorPrimitives.Dot(row, v);
                TensorPrimitives.MultiplyAdd(v, -s, row, row);
            }
        }
    }
}
