using System.Diagnostics;
using System.Numerics;

namespace SharpEdge.Curvature.Measurements;

/// <summary>
/// How much of the full gradient lies in the top-k eigenspace of the full-data Hessian: the cumulative
/// fractions ‖P_i g‖²/‖g‖² = Σ_{j≤i} (v_jᵀg)²/‖g‖², i = 1 … k (the headline is i = k), and the part
/// <c>residual</c> = 1 − ‖P_k g‖²/‖g‖² (eoss_spec §7.15; HEAD reports the square roots, ‖P_i g‖/‖g‖). The
/// eigenvectors are those of the current θ, solved (warm-started) or shared with λ_max / top-k in the same
/// context, where HEAD reads the eigenvectors of the last λ_max solve, stale by up to its cadence. Default k = 5
/// (HEAD: min(20, number of eigenvalues)). Exact up to the solver tolerance. Cost: the eigensolve (none when
/// shared) and k dot products.
/// </summary>
public sealed class GradientProjection : IMeasurement
{
    private readonly int k;

    public GradientProjection() : this(5) { }

    private GradientProjection(int k) => this.k = k;

    public string Name => "gradient-projection";
    public string Summary => "‖P_i g‖²/‖g‖², i = 1..k: gradient fraction in the top-i Hessian eigenspace";
    public MeasurementNeeds Needs => MeasurementNeeds.None;
    public Cadence Cadence => Cadence.Every(32, 8).Times(2, 10_000).Times(2, 50_000).Times(2, 100_000);
    public MeasurementArgument Argument => new("k", 5, 1, 1000, "how many top eigenvectors");
    public int? ArgumentValue => k;
    public IMeasurement WithArgument(int value) => new GradientProjection(Argument.Check(Name, value));

    public MeasurementResult Measure<T>(MeasurementContext<T> context) where T : unmanaged, IFloatingPointIeee754<T>
    {
        if (k > context.ParameterCount) throw new ArgumentException($"gradient-projection={k}: the model has only {context.ParameterCount} parameters");
        var clock = Stopwatch.StartNew();
        var (solve, shared) = context.HessianEigenpairs(k);
        var g = context.Gradient;
        var normSquared = context.GradientNormSquared;
        var fractions = new double[solve.Vectors!.Length];
        double cumulative = 0;
        for (int i = 0; i < fractions.Length; i++)
        {
            var v = solve.Vectors[i];
            double c = 0;
            for (int j = 0; j < v.Length; j++) c += v[j] * double.CreateTruncating(g[j]);
            cumulative += c * c;
            fractions[i] = normSquared > 0 ? cumulative / normSquared : 0;
        }
        var total = fractions[^1];
        var headline = Estimate.Exact(total, shared ? 0 : solve.Products, clock.Elapsed.TotalSeconds);
        var details = new Dictionary<string, object> { ["converged"] = solve.Converged };
        if (shared) details["shared"] = true;
        return new MeasurementResult(Name, headline, fractions, [new MeasurementPart("residual", Estimate.Exact(Math.Max(0, 1 - total)))], details);
    }
}
