using System.Numerics;

namespace SharpEdge.Curvature.Measurements;

/// <summary>
/// λ₁ ≥ … ≥ λ_k: the k largest algebraic eigenvalues of the full-data Hessian (eoss_spec §6.5; HEAD logs them
/// as eigenvalue_1..k). Exact up to the solver tolerance, with the same tolerance for every k (HEAD loosens it
/// to 3 % for k ≥ 6). Warm-started from the previous call's eigenvectors. Cost: the solver's H·v products
/// (Lanczos for k = 5: ~40–100 cold).
/// </summary>
public sealed class TopK : IBlockMeasurement
{
    private readonly int k;

    public TopK() : this(5) { }

    private TopK(int k) => this.k = k;

    public string Name => "top-k";
    public string Summary => "λ₁ … λ_k: the k largest eigenvalues of the full-data Hessian";
    public MeasurementNeeds Needs => MeasurementNeeds.None;
    public Cadence Cadence => Cadence.Every(256).Times(2, 10_000).Times(2, 30_000);
    public MeasurementArgument Argument => new("k", 5, 1, 1000, "how many eigenvalues");
    public int? ArgumentValue => k;
    public IMeasurement WithArgument(int value) => new TopK(Argument.Check(Name, value));

    public MeasurementResult Measure<T>(MeasurementContext<T> context) where T : unmanaged, IFloatingPointIeee754<T>
    {
        if (k > context.ParameterCount) throw new ArgumentException($"top-k={k}: the model has only {context.ParameterCount} parameters");
        var (result, shared) = context.HessianEigenpairs(k);
        return MeasurementResult.FromEigenpairs(Name, result, shared, k);
    }

    /// <summary>The top min(k, block size) eigenvalues of the Hessian block P_bᵀHP_b of one parameter tensor (a bias may be smaller than k).</summary>
    public MeasurementResult MeasureBlock<T>(MeasurementContext<T> context, ParameterBlock block) where T : unmanaged, IFloatingPointIeee754<T>
    {
        int count = Math.Min(k, block.Count);
        var (result, shared) = context.TopEigenpairs(EigenvectorCache.HessianBlock(block), () => new RestrictedOperator(new HessianOperator<T>(context.Curvature), block), count);
        return MeasurementResult.FromEigenpairs(Name, result, shared, count);
    }
}
