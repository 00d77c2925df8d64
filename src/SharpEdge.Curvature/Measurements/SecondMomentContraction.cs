using System.Numerics;

namespace SharpEdge.Curvature.Measurements;

/// <summary>
/// λ_max(−2ηH + η² Ê_B[H_B²]) (eoss_spec §7.12), i.e. λ_max(Ê_B[(I − ηH_B)²]) − 1 with the exact full-data H in
/// the linear term: below 0 the SGD iteration contracts in mean square along every direction of the quadratic
/// model. The expectation is over K = 128 Monte-Carlo batches (argument: K), drawn without replacement within a
/// batch (HEAD samples with replacement, so a batch can hold a sample twice). The largest algebraic eigenvalue of
/// the operator SumOperator([H, <see cref="BatchHessianSecondMoment{T}"/>], [−2η, η²]) by the context's
/// solver and tolerance (HEAD: Lanczos, tol 10⁻⁶), warm-started from the previous call's eigenvector. Exact
/// for the K sampled batches: no standard error is reported (its sampling spread would need repeated solves).
/// Cost per operator product: 1 full-data H·v, K batch gradients and 2K batch H·v (reported as hvps:
/// products × (1 + 2K)).
/// </summary>
public sealed class SecondMomentContraction : IMeasurement
{
    private readonly int batches;

    public SecondMomentContraction() : this(128) { }

    private SecondMomentContraction(int batches) => this.batches = batches;

    public string Name => "second-moment-contraction";
    public string Summary => "λ_max(−2ηH + η² Ê_B[H_B²]) over K batches (< 0: mean-square contraction)";
    public MeasurementNeeds Needs => MeasurementNeeds.BatchSize | MeasurementNeeds.LearningRate;
    public Cadence Cadence => Cadence.Every(256).Times(2, 10_000).Times(2, 30_000);
    public MeasurementArgument Argument => new("K", 128, 1, 100_000, "number of batch Hessians averaged");
    public int? ArgumentValue => batches;
    public IMeasurement WithArgument(int value) => new SecondMomentContraction(Argument.Check(Name, value));

    public MeasurementResult Measure<T>(MeasurementContext<T> context) where T : unmanaged, IFloatingPointIeee754<T>
    {
        var eta = context.LearningRate ?? throw new InvalidOperationException($"{Name} needs the learning rate η");
        var (result, shared) = context.TopEigenpairs($"second-moment-contraction/{batches}", () =>
            new SumOperator([new HessianOperator<T>(context.Curvature), new BatchHessianSecondMoment<T>(context.CurvatureSampler, context.Theta, batches)],
                [-2 * eta, eta * eta]), 1);
        var measured = MeasurementResult.FromEigenpairs(Name, result, shared);
        var details = new Dictionary<string, object>(measured.Details) { ["batches"] = batches, ["operator_products"] = shared ? 0 : result.Products };
        var hvps = shared ? 0 : result.Products * (1 + 2 * batches);
        return new MeasurementResult(Name, measured.Value with { Products = hvps }, details: details);
    }
}
