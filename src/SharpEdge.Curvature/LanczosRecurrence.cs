using System.Numerics.Tensors;
using SharpEdge.Numerics;

namespace SharpEdge.Curvature;

/// <summary>
/// The Lanczos three-term recurrence A Qⱼ = Qⱼ Tⱼ + βⱼ qⱼ₊₁ eⱼᵀ with full re-orthogonalisation: every new
/// vector is projected against the whole basis twice, so Qⱼ stays orthonormal to working precision and no
/// spurious copies of converged Ritz values appear (Parlett, The Symmetric Eigenvalue Problem, §13). Shared by
/// <see cref="Lanczos"/> and <see cref="StochasticLanczosQuadrature"/>. Memory: one n-vector per step.
/// </summary>
internal sealed class LanczosRecurrence
{
    // β below this fraction of ‖T‖ means the Krylov space is (numerically) invariant.
    private const double BreakdownRatio = 1e-12;

    private readonly ILinearOperator op;
    private readonly List<double[]> basis = [];
    private readonly List<double> alphas = [];
    private readonly List<double> betas = [];
    private readonly GramSchmidt gramSchmidt = new();
    private readonly double[] w;
    private double pendingBeta = double.NaN;
    private double normEstimate;

    /// <summary>Starts from <paramref name="start"/> (any non-zero vector; it is normalised).</summary>
    public LanczosRecurrence(ILinearOperator op, ReadOnlySpan<double> start) : this(op, start.ToArray()) { }

    /// <summary>
    /// Starts from <paramref name="start"/>, which becomes the first basis vector itself (normalised in place): for
    /// callers that made it for the purpose, saving a copy of an n-vector (for large n, a first touch of fresh memory).
    /// </summary>
    public static LanczosRecurrence Adopting(ILinearOperator op, double[] start) => new(op, start);

    private LanczosRecurrence(ILinearOperator op, double[] q)
    {
        this.op = op;
        if (q.Length != op.Size) throw new ArgumentException($"the start vector has length {q.Length}, the operator has size {op.Size}", "start");
        w = new double[op.Size];
        double norm = TensorPrimitives.Norm(q);
        if (!(norm > 0) || !double.IsFinite(norm)) throw new ArgumentException($"the Lanczos start vector must be non-zero and finite, its norm is {norm}", "start");
        TensorPrimitives.Divide(q, norm, q);
        basis.Add(q);
    }

    /// <summary>
    /// The work vector (the last step's remainder), handed over for reuse once the recurrence is finished with: the
    /// recurrence must not step again.
    /// </summary>
    public double[] ReleaseWork()
    {
        released = true;
        return w;
    }

    private bool released;

    /// <summary>Number of completed steps: the order of T.</summary>
    public int Steps => alphas.Count;
    public IReadOnlyList<double[]> Basis => basis;
    public IReadOnlyList<double> Alphas => alphas;
    /// <summary>The couplings between consecutive basis vectors: Steps − 1 of them once the basis has grown past the last step.</summary>
    public IReadOnlyList<double> Betas => betas;
    /// <summary>βⱼ = ‖r‖ of the last step, the scale of every Ritz residual (0 after a breakdown).</summary>
    public double LastBeta => pendingBeta;
    public bool BrokeDown => pendingBeta <= BreakdownRatio * normEstimate;

    /// <summary>One product: αⱼ = qⱼᵀAqⱼ and the re-orthogonalised remainder r, with βⱼ = ‖r‖.</summary>
    public void Step()
    {
        if (basis.Count != alphas.Count + 1) throw new InvalidOperationException("call Advance before the next Lanczos step");
        if (released) throw new InvalidOperationException("the recurrence has handed over its work vector");
        var q = basis[^1];
        op.Apply(q, w);
        double alpha = TensorPrimitives.Dot(q, w);
        alphas.Add(alpha);
        gramSchmidt.ProjectOut(basis, w);
        gramSchmidt.ProjectOut(basis, w);
        pendingBeta = TensorPrimitives.Norm(w);
        normEstimate = Math.Max(normEstimate, Math.Abs(alpha) + pendingBeta + (betas.Count > 0 ? betas[^1] : 0));
    }

    /// <summary>
    /// Appends qⱼ₊₁ = r/βⱼ. After a breakdown, appends instead a random unit vector orthogonal to the basis
    /// with coupling 0 (T becomes block diagonal) when <paramref name="restart"/> is given; returns false when
    /// there is nothing to append (breakdown without restart, or the basis already spans ℝⁿ).
    /// </summary>
    public bool Advance(Rng? restart)
    {
        if (basis.Count != alphas.Count) throw new InvalidOperationException("call Step before advancing the Lanczos basis");
        if (released) throw new InvalidOperationException("the recurrence has handed over its work vector");
        if (basis.Count == w.Length) return false;
        var q = new double[w.Length];
        if (!BrokeDown)
        {
            TensorPrimitives.Divide(w, pendingBeta, q);
            betas.Add(pendingBeta);
        }
        else
        {
            if (restart is null) return false;
            double norm = 0;
            for (int attempt = 0; attempt < 3 && !(norm > 0.5); attempt++)
            {
                restart.FillNormal(q);
                double before = TensorPrimitives.Norm(q);
                gramSchmidt.ProjectOut(basis, q);
                gramSchmidt.ProjectOut(basis, q);
                norm = TensorPrimitives.Norm(q) / before;
            }
            if (!(norm > 1e-8)) return false;
            TensorPrimitives.Divide(q, TensorPrimitives.Norm(q), q);
            betas.Add(0);
        }
        basis.Add(q);
        return true;
    }
}
