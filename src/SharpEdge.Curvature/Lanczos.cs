using System.Diagnostics;
using System.Numerics.Tensors;
using SharpEdge.Numerics;

namespace SharpEdge.Curvature;

public enum Spectrum
{
    /// <summary>The largest eigenvalues, by sign (λ_max): the default.</summary>
    LargestAlgebraic,
    SmallestAlgebraic,
    LargestMagnitude,
}

/// <summary>Eigenpairs from an iterative solver with their cost. Residuals are ‖A x − λ x‖ for unit x.</summary>
public sealed record EigenResult(double[] Values, double[][]? Vectors, double[] Residuals, int Products, double Seconds, bool Converged);

/// <summary>
/// The Lanczos method with full re-orthogonalisation: builds an orthonormal Krylov basis Q_j and the
/// tridiagonal T_j = Q_jᵀ A Q_j, whose eigenvalues (Ritz values) converge to the extreme eigenvalues of A.
/// The residual of a Ritz pair (θ, Q_j s) is |β_j s_j| (Paige), so convergence is checked without extra
/// products; iteration stops when the k wanted residuals fall below <see cref="Tolerance"/>·|θ|.
/// </summary>
public sealed class Lanczos
{
    public int Count { get; init; } = 1;
    public Spectrum Which { get; init; } = Spectrum.LargestAlgebraic;
    /// <summary>Relative residual tolerance ‖A x − θ x‖ ≤ tol·|θ|.</summary>
    public double Tolerance { get; init; } = 1e-6;
    public int MaxIterations { get; init; } = 300;
    public ulong Seed { get; init; } = 0;
    public bool ReturnVectors { get; init; }

    public EigenResult Solve(ILinearOperator op, ReadOnlySpan<double> start = default)
    {
        int n = op.Size;
        if (Count < 1 || Count > n) throw new ArgumentException($"asked for {Count} eigenvalues of a {n}x{n} operator");
        if (!(Tolerance > 0)) throw new ArgumentException($"tolerance must be positive, got {Tolerance}");
        var clock = Stopwatch.StartNew();
        var basis = new List<double[]>();
        var alphas = new List<double>();
        var betas = new List<double>();
        var q = new double[n];
        if (!start.IsEmpty && start.Length == n && TensorPrimitives.Norm(start) > 0) start.CopyTo(q);
        else
        {
            var rng = new Rng(Seed);
            for (int i = 0; i < n; i++) q[i] = rng.NextNormal();
        }
        TensorPrimitives.Divide(q, TensorPrimitives.Norm(q), q);
        var w = new double[n];
        int products = 0;
        double[] ritz = [], ritzVectors = [], residuals = [];
        var wanted = Array.Empty<int>();
        bool converged = false;
        int maxIterations = Math.Min(MaxIterations, n);
        for (int j = 0; j < maxIterations; j++)
        {
            basis.Add(q);
            op.Apply(q, w);
            products++;
            var alpha = TensorPrimitives.Dot(w, q);
            alphas.Add(alpha);
            // full re-orthogonalisation, twice ("twice is enough", Parlett)
            for (int pass = 0; pass < 2; pass++)
                foreach (var b in basis)
                {
                    var c = TensorPrimitives.Dot(w, b);
                    TensorPrimitives.MultiplyAdd(b, -c, w, w);
                }
            var beta = TensorPrimitives.Norm(w);
            int m = j + 1;
            (ritz, ritzVectors) = Tridiagonal(alphas, betas, m);
            wanted = Select(ritz, Math.Min(Count, m));
            residuals = wanted.Select(i => Math.Abs(beta * ritzVectors[(m - 1) * m + i])).ToArray();
            var scale = Math.Max(ritz.Max(Math.Abs), double.Epsilon);
            converged = m >= Count && wanted.Zip(residuals).All(p => p.Second <= Tolerance * Math.Max(Math.Abs(ritz[p.First]), 1e-3 * scale));
            if (converged || beta <= 1e-14 * scale)
            {
                converged = converged || m >= Count; // invariant subspace: the Ritz values are exact
                break;
            }
            betas.Add(beta);
            q = new double[n];
            TensorPrimitives.Divide(w, beta, q);
        }
        int size = alphas.Count;
        var values = wanted.Select(i => ritz[i]).ToArray();
        double[][]? vectors = null;
        if (ReturnVectors)
        {
            vectors = new double[wanted.Length][];
            for (int k = 0; k < wanted.Length; k++)
            {
                var x = new double[n];
                for (int j = 0; j < size; j++) TensorPrimitives.MultiplyAdd(basis[j], ritzVectors[j * size + wanted[k]], x, x);
                vectors[k] = x;
            }
        }
        return new EigenResult(values, vectors, residuals, products, clock.Elapsed.TotalSeconds, converged);
    }

    private static (double[] Values, double[] Vectors) Tridiagonal(List<double> alphas, List<double> betas, int m)
    {
        var t = new double[m * m];
        for (int i = 0; i < m; i++)
        {
            t[i * m + i] = alphas[i];
            if (i + 1 < m) t[i * m + i + 1] = t[(i + 1) * m + i] = betas[i];
        }
        return SymmetricEigen.Decompose(t, m);
    }

    /// <summary>Indices of the wanted Ritz values (ascending input) in the order they are reported.</summary>
    private int[] Select(double[] ascending, int k) => Which switch
    {
        Spectrum.LargestAlgebraic => Enumerable.Range(0, ascending.Length).Reverse().Take(k).ToArray(),
        Spectrum.SmallestAlgebraic => Enumerable.Range(0, ascending.Length).Take(k).ToArray(),
        _ => Enumerable.Range(0, ascending.Length).OrderByDescending(i => Math.Abs(ascending[i])).Take(k).ToArray(),
    };
}
