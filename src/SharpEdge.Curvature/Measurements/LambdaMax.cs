using System.Numerics;

namespace SharpEdge.Curvature.Measurements;

/// <summary>
/// λ_max = the largest algebraic eigenvalue of the full-data Hessian H = ∇²L(θ) (eoss_spec §7.1), the paper's
/// sharpness, compared with 2/η. Exact up to the solver tolerance (default relative residual 10⁻⁶ in float64,
/// so the eigenvalue error is ≲ ‖r‖²/gap). Over all n samples, not HEAD's silent random 4096-subset (§15.1.2), unless
/// the context asks for a subset (<see cref="MeasurementContext{T}.CurvatureSubset"/>, a fresh draw per context), with
/// the largest-algebraic convention whatever the solver (§15.1.3); warm-started from the previous call's
/// eigenvector. Cost: the solver's H·v products (Lanczos: ~20–60 cold, a few warm), each one R-forward and
/// one R-backward over all n samples on the cached linearization.
/// </summary>
public sealed class LambdaMax : IBlockMeasurement
{
    public string Name => "lambda-max";
    public string Summary => "λ_max(H): top eigenvalue of the full-data Hessian";
    public MeasurementNeeds Needs => MeasurementNeeds.None;
    public Cadence Cadence => Cadence.Every(256).Times(2, 10_000).Times(2, 30_000);

    public MeasurementResult Measure<T>(MeasurementContext<T> context) where T : unmanaged, IFloatingPointIeee754<T>
    {
        var (result, shared) = context.HessianEigenpairs(1);
        return MeasurementResult.FromEigenpairs(Name, result, shared);
    }

    /// <summary>λ_max of the Hessian block P_bᵀHP_b of one parameter tensor.</summary>
    public MeasurementResult MeasureBlock<T>(MeasurementContext<T> context, ParameterBlock block) where T : unmanaged, IFloatingPointIeee754<T>
    {
        var (result, shared) = context.TopEigenpairs(EigenvectorCache.HessianBlock(block), () => new RestrictedOperator(new HessianOperator<T>(context.Curvature), block), 1);
        return MeasurementResult.FromEigenpairs(Name, result, shared);
    }
}
