using System.Numerics;

namespace SharpEdge.Curvature.Measurements;

/// <summary>
/// Gauss-Newton batch sharpness E_B[g_Bᵀ G_B g_B / ‖g_B‖²] (eoss_spec §7.13), batch sharpness with the batch
/// Hessian replaced by the batch Gauss-Newton matrix; the same estimator and stopping rule as
/// <see cref="BatchSharpness"/> (mean of ratios, at least 21, at most 1000 samples, relative SE 0.5 %). Cost
/// per sample: one batch gradient and one batch G·v (R-forward and backward), in parallel over workers.
/// </summary>
public sealed class GaussNewtonBatchSharpness : IMeasurement
{
    public string Name => "gn-batch-sharpness";
    public string Summary => "E_B[g_Bᵀ G_B g_B / ‖g_B‖²], G_B the batch Gauss-Newton matrix";
    public MeasurementNeeds Needs => MeasurementNeeds.BatchSize;
    public Cadence Cadence => Cadence.Every(128).Times(2, 10_000).Times(2, 50_000).Times(2, 100_000);

    public MeasurementResult Measure<T>(MeasurementContext<T> context) where T : unmanaged, IFloatingPointIeee754<T>
    {
        var rule = context.Stopping(BatchSharpness.DefaultStopping);
        var stream = context.CurvatureAlongGradientStream(rule.MaxSamples, gaussNewton: true);
        var estimate = MonteCarlo.MeanOfRatios(stream.Pair, rule);
        return new MeasurementResult(Name, estimate with { Products = stream.Evaluated });
    }

    /// <summary>(g_Bᵀ G_B g_B, ‖g_B‖²) of the worker's batch at θ.</summary>
    internal static BatchEvaluation<T> CurvatureSample<T>(ReadOnlyMemory<T> theta) where T : unmanaged, IFloatingPointIeee754<T> =>
        (worker, _, values) =>
        {
            var g = worker.Gradient;
            worker.Objective.Linearize(theta, g);
            worker.Objective.GaussNewtonVectorProduct(g, worker.Image);
            values[0] = MeasurementContext<T>.Dot(g, worker.Image);
            values[1] = MeasurementContext<T>.Dot(g, g);
        };
}
