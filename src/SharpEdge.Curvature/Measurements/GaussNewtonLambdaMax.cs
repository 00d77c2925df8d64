using System.Numerics;

namespace SharpEdge.Curvature.Measurements;

/// <summary>
/// λ_max(G), the top eigenvalue of the full-data generalised Gauss-Newton matrix G = (1/n) Σᵢ Jᵢᵀ ∇²_zℓᵢ Jᵢ
/// (eoss_spec §0, §7.13; for MSE G = (2/n) Σᵢ JᵢᵀJᵢ). G is positive semi-definite and equals H minus the
/// residual term, so λ_max(G) tracks λ_max(H) near interpolation. Over all n samples, with the context's solver
/// and tolerance, and its own warm-start entry (HEAD cold-starts it unless λ_max is also measured). Cost: the
/// solver's G·v products, each one R-forward and one backward over all n on the cached linearization.
/// </summary>
public sealed class GaussNewtonLambdaMax : IMeasurement
{
    public string Name => "gn-lambda-max";
    public string Summary => "λ_max(G): top eigenvalue of the full-data Gauss-Newton matrix";
    public MeasurementNeeds Needs => MeasurementNeeds.None;
    public Cadence Cadence => Cadence.Every(256).Times(2, 10_000).Times(2, 30_000);

    public MeasurementResult Measure<T>(MeasurementContext<T> context) where T : unmanaged, IFloatingPointIeee754<T>
    {
        var (result, shared) = context.GaussNewtonEigenpairs(1);
        return MeasurementResult.FromEigenpairs(Name, result, shared);
    }
}
