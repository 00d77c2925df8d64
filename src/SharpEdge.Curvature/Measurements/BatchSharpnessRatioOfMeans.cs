using System.Numerics;

namespace SharpEdge.Curvature.Measurements;

/// <summary>
/// The "expectation inside" batch sharpness E_B[g_Bᵀ H_B g_B] / E_B[g_Bᵀ g_B] (eoss_spec §7.4: HEAD
/// <c>--batch-sharpness-exp-inside</c>, the seed's <c>--batch-sharpness-static</c>), a ratio of means, with the
/// delta-method standard error √((s_a²/b̄² − 2ā s_ab/b̄³ + ā² s_b²/b̄⁴)/N). It weighs batches by ‖g_B‖², so it
/// differs from <see cref="BatchSharpness"/> when the curvature along a batch gradient correlates with its
/// length. Stops like HEAD: at least 21, at most 500 samples, relative SE 0.5 % (the seed stopped on the
/// spread of the numerator alone). Cost: as batch sharpness, one batch sample per draw.
/// </summary>
public sealed class BatchSharpnessRatioOfMeans : IMeasurement
{
    public static readonly StoppingRule DefaultStopping = new(21, 500, 0.005);

    public string Name => "batch-sharpness-ratio-of-means";
    public string Summary => "E_B[g_Bᵀ H_B g_B] / E_B[‖g_B‖²] over random batches (ratio of means)";
    public MeasurementNeeds Needs => MeasurementNeeds.BatchSize;
    public Cadence Cadence => Cadence.Every(128, 64).Times(2, 10_000).Times(2, 30_000);

    public MeasurementResult Measure<T>(MeasurementContext<T> context) where T : unmanaged, IFloatingPointIeee754<T>
    {
        var rule = context.Stopping(DefaultStopping);
        var stream = context.CurvatureAlongGradientStream(rule.MaxSamples);
        var estimate = MonteCarlo.RatioOfMeans(stream.Pair, rule);
        return new MeasurementResult(Name, estimate with { Products = stream.Evaluated });
    }
}
