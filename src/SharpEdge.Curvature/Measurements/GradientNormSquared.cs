using System.Numerics;

namespace SharpEdge.Curvature.Measurements;

/// <summary>
/// E_B[‖g_B‖²], the mean squared norm of a batch gradient, by Monte Carlo with SE √(s²/N) (eoss_spec §7.8).
/// Its excess over ‖g‖² is the trace of the batch-gradient covariance,
/// (n − b)/(b(n − 1))·(1/n)Σᵢ‖∇ℓᵢ − g‖² for batches drawn without replacement. Stops like
/// HEAD: at least 11, at most 200 samples, relative SE 1 %. Cost: one batch gradient per sample, no products;
/// samples in parallel over workers.
/// </summary>
public sealed class GradientNormSquared : IMeasurement
{
    public static readonly StoppingRule DefaultStopping = new(11, 200, 0.01);

    public string Name => "gradient-norm-squared";
    public string Summary => "E_B[‖g_B‖²] over random batches";
    public MeasurementNeeds Needs => MeasurementNeeds.BatchSize;
    public Cadence Cadence => Cadence.Every(64, 128).Times(2, 10_000);

    public MeasurementResult Measure<T>(MeasurementContext<T> context) where T : unmanaged, IFloatingPointIeee754<T>
    {
        var rule = context.Stopping(DefaultStopping);
        var theta = context.Theta;
        var stream = context.Sampler.Stream((worker, _, values) =>
        {
            worker.Objective.Linearize(theta, worker.Gradient);
            values[0] = MeasurementContext<T>.Dot(worker.Gradient, worker.Gradient);
        }, 1, rule.MaxSamples);
        return new MeasurementResult(Name, MonteCarlo.Mean(stream.Scalar, rule));
    }
}
