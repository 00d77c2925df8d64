using System.Numerics;
using SharpEdge.Curvature;
using SharpEdge.Nn;

namespace SharpEdge.Training;

/// <summary>
/// The top-l eigenspace of the full-data Hessian and the orthogonal projections onto it, P = VVᵀ, and onto its
/// complement, I − VVᵀ (projected SGD, eoss_spec §10.4). Coefficients Vᵀx and the projected vector are formed in
/// float64 and rounded once.
/// </summary>
public static class HessianSubspace
{
    /// <summary>
    /// The top <paramref name="rank"/> eigenpairs of ∇²L(θ) for the full-data <paramref name="objective"/>
    /// (linearized at θ here), warm-started from <paramref name="warmStart"/> (the previous basis), orthonormalised.
    /// The solver is the project's default: dense up to 200 parameters, Lanczos above, to relative residual
    /// <paramref name="tolerance"/>.
    /// </summary>
    public static ProjectionBasis Solve<T>(Objective<T> objective, ReadOnlyMemory<T> theta, int rank, long step, ulong seed,
        IReadOnlyList<double[]>? warmStart = null, double tolerance = 1e-4) where T : unmanaged, IFloatingPointIeee754<T>
    {
        ArgumentNullException.ThrowIfNull(objective);
        if (rank < 1 || rank > objective.ParameterCount)
            throw new ArgumentOutOfRangeException(nameof(rank), rank, $"the top-l eigenspace needs 1 ≤ l ≤ {objective.ParameterCount} (the parameters)");
        objective.Linearize(theta, new T[objective.ParameterCount]);
        var result = EigenSolvers.TopK(new HessianOperator<T>(objective), rank, new EigenOptions
        {
            Tolerance = tolerance, Seed = seed, ReturnVectors = true, InitialVectors = warmStart,
        });
        var vectors = result.Vectors ?? throw new InvalidOperationException("the eigensolver returned no vectors");
        return new ProjectionBasis(Orthonormalize(vectors), result.Values, step);
    }

    /// <summary>
    /// <paramref name="result"/> = VVᵀx, or x − VVᵀx when <paramref name="residual"/>; returns ‖result‖² and ‖x‖²
    /// (float64, before rounding). <paramref name="coefficients"/> holds at least l values of scratch.
    /// </summary>
    public static (double Kept, double Total) Project<T>(ProjectionBasis basis, ReadOnlySpan<T> x, Span<T> result, bool residual, Span<double> coefficients)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        ArgumentNullException.ThrowIfNull(basis);
        if (x.Length != basis.Size || result.Length != basis.Size) throw new ArgumentException($"the basis has vectors of {basis.Size} values, x {x.Length} and the result {result.Length}");
        if (coefficients.Length < basis.Rank) throw new ArgumentException($"{basis.Rank} coefficients need room, got {coefficients.Length}");
        var v = basis.Vectors;
        var c = coefficients[..basis.Rank];
        c.Clear();
        double total = 0;
        for (int j = 0; j < x.Length; j++)
        {
            var xj = double.CreateTruncating(x[j]);
            total += xj * xj;
            for (int i = 0; i < c.Length; i++) c[i] += v[i][j] * xj;
        }
        double kept = 0;
        for (int j = 0; j < x.Length; j++)
        {
            double inside = 0;
            for (int i = 0; i < c.Length; i++) inside += v[i][j] * c[i];
            var value = residual ? double.CreateTruncating(x[j]) - inside : inside;
            kept += value * value;
            result[j] = T.CreateTruncating(value);
        }
        return (kept, total);
    }

    /// <summary>Modified Gram–Schmidt, twice (solver vectors are orthonormal only to their tolerance).</summary>
    private static double[][] Orthonormalize(double[][] vectors)
    {
        var q = vectors.Select(v => (double[])v.Clone()).ToArray();
        for (int pass = 0; pass < 2; pass++)
            for (int i = 0; i < q.Length; i++)
            {
                for (int k = 0; k < i; k++)
                {
                    double dot = 0;
                    for (int j = 0; j < q[i].Length; j++) dot += q[k][j] * q[i][j];
                    for (int j = 0; j < q[i].Length; j++) q[i][j] -= dot * q[k][j];
                }
                double norm = Math.Sqrt(q[i].Sum(a => a * a));
                if (!(norm > 1e-8)) throw new InvalidOperationException($"eigenvector {i + 1} of the projection basis is linearly dependent on the others");
                for (int j = 0; j < q[i].Length; j++) q[i][j] /= norm;
            }
        return q;
    }
}
