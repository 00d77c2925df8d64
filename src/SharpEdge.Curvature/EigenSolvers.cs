namespace SharpEdge.Curvature;

/// <summary>Which eigensolver <see cref="EigenSolvers.TopK"/> runs.</summary>
public enum EigenMethod
{
    /// <summary>
    /// <see cref="Dense"/> up to <see cref="EigenOptions.DenseThreshold"/>, <see cref="Lanczos"/> above it: on
    /// Hessian-like spectra Lanczos reached 10⁻⁶ with fewer products than LOBPCG, cold and warm (for k = 5 about
    /// a third of LOBPCG's cold count). LOBPCG is the choice when a block product is much cheaper per vector than
    /// single products, when eigenvalues repeat, or when memory must stay O(k·n).
    /// </summary>
    Auto,
    Dense,
    Lanczos,
    Lobpcg,
    /// <summary>One eigenpair only; see <see cref="PowerIteration"/> for what it converges to.</summary>
    Power,
}

/// <summary>Settings shared by the solvers behind <see cref="EigenSolvers.TopK"/>.</summary>
public sealed record EigenOptions
{
    public EigenMethod Method { get; init; } = EigenMethod.Auto;
    public Spectrum Which { get; init; } = Spectrum.LargestAlgebraic;
    /// <summary>Relative residual tolerance (<see cref="RitzConvergence"/>); ignored by the dense solver, which is exact.</summary>
    public double Tolerance { get; init; } = 1e-6;
    /// <summary>The solver's own cap (Lanczos steps, LOBPCG iterations, power products) when set; its default otherwise.</summary>
    public int? MaxIterations { get; init; }
    public ulong Seed { get; init; }
    public bool ReturnVectors { get; init; }
    /// <summary>Report true residuals from one more block of k products (Lanczos, LOBPCG).</summary>
    public bool VerifyResiduals { get; init; }
    /// <summary>A warm start: LOBPCG takes them all as its first block, Lanczos starts from their sum, power iteration from the first.</summary>
    public IReadOnlyList<double[]>? InitialVectors { get; init; }
    /// <summary>
    /// Largest size solved densely by <see cref="EigenMethod.Auto"/>. The dense path costs exactly n products
    /// while Lanczos typically needs 30–150 for a few extreme eigenvalues, so dense wins only for small n.
    /// </summary>
    public int DenseThreshold { get; init; } = 200;
    /// <summary>LOBPCG guard vectors.</summary>
    public int GuardVectors { get; init; }
}

/// <summary>One entry point for the k extreme eigenpairs of an operator, whichever solver suits its size.</summary>
public static class EigenSolvers
{
    public static EigenResult TopK(ILinearOperator op, int k, EigenOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(op);
        options ??= new EigenOptions();
        if (k < 1 || k > op.Size) throw new ArgumentOutOfRangeException(nameof(k), k, $"asked for {k} eigenvalues of an operator of size {op.Size}");
        if (options.DenseThreshold < 0) throw new ArgumentOutOfRangeException(nameof(options), options.DenseThreshold, "the dense threshold must be non-negative");
        var method = options.Method;
        if (method == EigenMethod.Auto)
            method = op.Size <= options.DenseThreshold ? EigenMethod.Dense : EigenMethod.Lanczos;
        var initial = options.InitialVectors ?? [];
        switch (method)
        {
            case EigenMethod.Dense:
                return new DenseEigen { Count = k, Which = options.Which, ReturnVectors = options.ReturnVectors }.Solve(op);
            case EigenMethod.Lanczos:
                var lanczos = new Lanczos
                {
                    Count = k, Which = options.Which, Tolerance = options.Tolerance, Seed = options.Seed,
                    ReturnVectors = options.ReturnVectors, VerifyResiduals = options.VerifyResiduals,
                    MaxIterations = options.MaxIterations ?? new Lanczos().MaxIterations,
                };
                return lanczos.Solve(op, initial);
            case EigenMethod.Lobpcg:
                var lobpcg = new Lobpcg
                {
                    Count = k, GuardVectors = options.GuardVectors, Which = options.Which, Tolerance = options.Tolerance,
                    Seed = options.Seed, ReturnVectors = options.ReturnVectors, VerifyResiduals = options.VerifyResiduals,
                    MaxIterations = options.MaxIterations ?? new Lobpcg().MaxIterations,
                };
                return lobpcg.Solve(op, initial.Take(k + options.GuardVectors).ToArray());
            case EigenMethod.Power:
                if (k != 1) throw new ArgumentOutOfRangeException(nameof(k), k, "power iteration finds one eigenpair");
                return new PowerIteration
                {
                    Which = options.Which, Tolerance = options.Tolerance, Seed = options.Seed, ReturnVectors = options.ReturnVectors,
                    MaxIterations = options.MaxIterations ?? new PowerIteration().MaxIterations,
                }.Solve(op, initial.Count > 0 ? initial[0] : null);
            default:
                throw new ArgumentOutOfRangeException(nameof(options), method, "unknown eigensolver");
        }
    }
}
