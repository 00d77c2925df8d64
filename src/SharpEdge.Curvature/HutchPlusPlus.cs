using System.Diagnostics;
using System.Numerics.Tensors;
using SharpEdge.Numerics;

namespace SharpEdge.Curvature;

/// <summary>
/// Hutch++ (Meyer, Musco, Musco and Woodruff, SOSA 2021): with a budget of m products, sketch Y = AS for
/// m/3 random probes S, take an orthonormal basis Q of range(Y), compute tr(QᵀAQ) exactly and estimate the
/// rest by Hutchinson on the deflated operator:
/// tr(A) ≈ tr(QᵀAQ) + (1/g) Σᵢ gᵢᵀ (I − QQᵀ) A (I − QQᵀ) gᵢ.
/// The sketch removes the top of the spectrum, so the error falls like 1/m instead of 1/√m when A is
/// dominated by a few large eigenvalues (the outliers of a network Hessian).
/// </summary>
/// <remarks>
/// <see cref="Estimate.StandardError"/> is the standard error of the Hutchinson part given Q (the sample
/// standard deviation of the g deflated quadratic forms over √g): the sketched part is exact given Q, so this
/// is the spread of the estimate over the residual probes, not over the sketch. Directions of Y that are
/// numerically dependent are dropped, and the products they would have cost go to extra residual probes, so
/// exactly <see cref="Budget"/> products are used.
/// </remarks>
public sealed class HutchPlusPlus
{
    // Apply probes in blocks of at most this many vectors: GEMM-friendly, and memory O(block·n).
    private const int BlockSize = 32;

    /// <summary>Total products m (at least 4: a sketch of ⌊m/3⌋ ≥ 1, its basis, and ≥ 2 residual probes).</summary>
    public int Budget { get; init; } = 60;
    public ProbeDistribution Probes { get; init; } = ProbeDistribution.Rademacher;
    public ulong Seed { get; init; }

    public Estimate Trace(ILinearOperator op)
    {
        ArgumentNullException.ThrowIfNull(op);
        if (Budget < 4) throw new ArgumentOutOfRangeException(nameof(Budget), Budget, "Hutch++ needs a budget of at least 4 products");
        if (!Enum.IsDefined(Probes)) throw new ArgumentOutOfRangeException(nameof(Probes), Probes, "unknown probe distribution");
        var clock = Stopwatch.StartNew();
        int n = op.Size;
        var rng = new Rng(Seed);
        int sketch = Math.Min(Budget / 3, n);
        var q = new double[(long)sketch * n];
        var s = new double[(long)sketch * n];
        for (int i = 0; i < sketch; i++) Probes.Fill(rng, s.AsSpan(i * n, n));
        op.ApplyBlock(s, sketch, q);
        int products = sketch;
        int rank = OrthonormalRows(q, sketch, n);

        // exact part: tr(QᵀAQ) = Σ qᵢᵀ A qᵢ
        var aq = s.AsSpan(0, rank * n); // S is no longer needed
        op.ApplyBlock(q.AsSpan(0, rank * n), rank, aq);
        products += rank;
        double exact = 0;
        for (int i = 0; i < rank; i++) exact += TensorPrimitives.Dot(q.AsSpan(i * n, n), aq.Slice(i * n, n));

        // Hutchinson on (I − QQᵀ)A(I − QQᵀ) with every remaining product
        int probes = Budget - products;
        var moments = new RunningMoments();
        int width = Math.Min(BlockSize, probes);
        var g = new double[width * n];
        var ag = new double[width * n];
        for (int done = 0; done < probes; done += width)
        {
            int count = Math.Min(width, probes - done);
            var block = g.AsSpan(0, count * n);
            for (int j = 0; j < count; j++)
            {
                var z = block.Slice(j * n, n);
                Probes.Fill(rng, z);
                for (int pass = 0; pass < 2; pass++)
                    for (int i = 0; i < rank; i++)
                    {
                        var qi = q.AsSpan(i * n, n);
                        TensorPrimitives.MultiplyAdd(qi, -TensorPrimitives.Dot(qi, z), z, z);
                    }
            }
            var image = ag.AsSpan(0, count * n);
            op.ApplyBlock(block, count, image);
            products += count;
            for (int j = 0; j < count; j++) moments.Add(TensorPrimitives.Dot(block.Slice(j * n, n), image.Slice(j * n, n)));
        }
        return new Estimate(exact + moments.Mean, moments.StandardError, moments.Count, products, clock.Elapsed.TotalSeconds);
    }

    /// <summary>Gram–Schmidt, twice, over the rows; dependent rows are dropped. Returns the rank (rows at the front).</summary>
    private static int OrthonormalRows(Span<double> rows, int count, int n)
    {
        double largest = 0;
        for (int i = 0; i < count; i++) largest = Math.Max(largest, TensorPrimitives.Norm(rows.Slice(i * n, n)));
        int rank = 0;
        for (int i = 0; i < count; i++)
        {
            var row = rows.Slice(i * n, n);
            for (int pass = 0; pass < 2; pass++)
                for (int k = 0; k < rank; k++)
                {
                    var basis = rows.Slice(k * n, n);
                    TensorPrimitives.MultiplyAdd(basis, -TensorPrimitives.Dot(basis, row), row, row);
                }
            double norm = TensorPrimitives.Norm(row);
            if (!(norm > 1e-12 * largest)) continue;
            var target = rows.Slice(rank * n, n);
            TensorPrimitives.Divide(row, norm, target);
            rank++;
        }
        return rank;
    }
}
