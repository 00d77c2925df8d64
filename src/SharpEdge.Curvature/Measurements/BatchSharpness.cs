using System.Numerics;

namespace SharpEdge.Curvature.Measurements;

/// <summary>
/// Batch sharpness E_B[g_Bᵀ H_B g_B / g_Bᵀ g_B] over fresh random batches of size b (eoss_spec §7.3), the
/// paper's central quantity: the mean of ratios, estimated from Monte-Carlo batches with standard error
/// √(s²/N). Stops when SE ≤ 0.5 % of the estimate, after at least 21 and at most 1000 samples (HEAD's
/// training call), with the SE of the quantity actually returned; HEAD stops on the delta-method SE of the
/// ratio of means instead (§15.1.4). Cost: one <see cref="Nn.Objective{T}.CurvatureAlongGradient"/> per
/// sample (batch Gram matrices for MLPs up to b = 64, ≈ one forward pass; otherwise g_B and g_Bᵀ H_B g_B),
/// samples evaluated in parallel, one worker per thread, or one after another on the context's
/// <see cref="MeasurementContext{T}.BatchEngine"/> (a GPU).
/// </summary>
public sealed class BatchSharpness : IMeasurement
{
    public static readonly StoppingRule DefaultStopping = new(21, 1000, 0.005);

    public string Name => "batch-sharpness";
    public string Summary => "E_B[g_Bᵀ H_B g_B / ‖g_B‖²] over random batches (mean of ratios)";
    public MeasurementNeeds Needs => MeasurementNeeds.BatchSize;
    public Cadence Cadence => Cadence.Every(128).Times(2, 10_000).Times(2, 50_000).Times(2, 100_000);

    public MeasurementResult Measure<T>(MeasurementContext<T> context) where T : unmanaged, IFloatingPointIeee754<T>
    {
        var rule = context.Stopping(DefaultStopping);
        var stream = context.CurvatureAlongGradientStream(rule.MaxSamples);
        var estimate = MonteCarlo.MeanOfRatios(stream.Pair, rule);
        return new MeasurementResult(Name, estimate with { Products = stream.Evaluated });
    }

    /// <summary>(g_Bᵀ H_B g_B, ‖g_B‖²) of the worker's batch at θ.</summary>
    internal static BatchEvaluation<T> CurvatureSample<T>(ReadOnlyMemory<T> theta) where T : unmanaged, IFloatingPointIeee754<T> =>
        (worker, _, values) =>
        {
            var (_, norm, curvature) = worker.Objective.CurvatureAlongGradient(theta);
            values[0] = curvature;
            values[1] = norm;
        };
}
