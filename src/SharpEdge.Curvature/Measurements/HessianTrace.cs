using System.Numerics;

namespace SharpEdge.Curvature.Measurements;

/// <summary>
/// tr(H) of the full-data Hessian by Hutchinson's estimator, the mean of zᵀHz over Rademacher probes z with
/// SE √(s²/N) (eoss_spec §7.7). Stops like HEAD: at least 20, at most 256 probes, relative SE 1 %. Probes come
/// from the context's seed (HEAD's are time-seeded, §15.1.18). Cost: one full-data quadratic form zᵀHz per
/// probe (one R-forward and one R-backward over all n, without forming Hz).
/// </summary>
public sealed class HessianTrace : IMeasurement
{
    public static readonly StoppingRule DefaultStopping = new(20, 256, 0.01);

    public string Name => "trace";
    public string Summary => "tr(H): Hutchinson estimate with Rademacher probes";
    public MeasurementNeeds Needs => MeasurementNeeds.None;
    public Cadence Cadence => Cadence.Every(256, 64).Times(2, 10_000).Times(2, 50_000);

    public MeasurementResult Measure<T>(MeasurementContext<T> context) where T : unmanaged, IFloatingPointIeee754<T>
    {
        var rule = context.Stopping(DefaultStopping);
        context.Linearize();
        var full = context.Objective;
        var rng = context.ProbeRandom();
        var probe = new double[context.ParameterCount];
        var z = new T[context.ParameterCount];
        var estimate = MonteCarlo.Mean(_ =>
        {
            ProbeDistribution.Rademacher.Fill(rng, probe);
            for (int i = 0; i < z.Length; i++) z[i] = T.CreateTruncating(probe[i]);
            return full.QuadraticForm(z);
        }, rule, productsPerSample: 1);
        return new MeasurementResult(Name, estimate);
    }
}
