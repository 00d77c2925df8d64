using System.Diagnostics;
using System.Numerics;
using SharpEdge.Numerics;

namespace SharpEdge.Curvature.Measurements;

/// <summary>
/// tr(H) of the full-data Hessian by Hutchinson's estimator, the mean of zᵀHz over Rademacher probes z with
/// SE √(s²/N) (eoss_spec §7.7). Stops like HEAD: at least 20, at most 256 probes, relative SE 1 %. Probes come
/// from the context's seed (HEAD's are time-seeded, §15.1.18). Cost: one full-data quadratic form zᵀHz per
/// probe (one R-forward and one R-backward over all n, without forming Hz). Per layer, tr(P_bᵀHP_b) takes probes
/// that are zero outside the tensor; a tensor no larger than the probe cap (a bias, a small layer) gets its exact
/// trace Σᵢ eᵢᵀHeᵢ instead, for no more quadratic forms than Hutchinson's worst case. With a Hessian engine (a GPU)
/// the whole-θ trace takes each zᵀHz as z·(Hz) from the engine, on the same probes.
/// </summary>
public sealed class HessianTrace : IBlockMeasurement
{
    public static readonly StoppingRule DefaultStopping = new(20, 256, 0.01);

    public string Name => "trace";
    public string Summary => "tr(H): Hutchinson estimate with Rademacher probes";
    public MeasurementNeeds Needs => MeasurementNeeds.None;
    public Cadence Cadence => Cadence.Every(256, 64).Times(2, 10_000).Times(2, 50_000);

    public MeasurementResult Measure<T>(MeasurementContext<T> context) where T : unmanaged, IFloatingPointIeee754<T> =>
        new(Name, Trace(context, new ParameterBlock("θ", 0, context.ParameterCount), context.ProbeRandom()));

    /// <summary>tr(P_bᵀHP_b), the part of tr(H) on one parameter tensor; each tensor has its own probe stream.</summary>
    public MeasurementResult MeasureBlock<T>(MeasurementContext<T> context, ParameterBlock block) where T : unmanaged, IFloatingPointIeee754<T> =>
        new(Name, Trace(context, block, context.ProbeRandom().Fork((ulong)block.Offset + 1)));

    private static Estimate Trace<T>(MeasurementContext<T> context, ParameterBlock block, Rng rng) where T : unmanaged, IFloatingPointIeee754<T>
    {
        var rule = context.Stopping(DefaultStopping);
        if (block.Count == context.ParameterCount && context.EngineHessian is { } onEngine)
        {
            var signs = new double[block.Count];
            var image = new double[block.Count];
            return MonteCarlo.Mean(_ =>
            {
                ProbeDistribution.Rademacher.Fill(rng, signs);
                onEngine.Apply(signs, image);
                return Float64Dot.Of<double>(signs, image);
            }, rule, productsPerSample: 1);
        }
        context.LinearizeForProducts();
        var full = context.Curvature;
        var z = new T[context.ParameterCount];
        if (block.Count <= rule.MaxSamples && block.Count < context.ParameterCount)
        {
            var clock = Stopwatch.StartNew();
            double sum = 0;
            for (int i = block.Offset; i < block.Offset + block.Count; i++)
            {
                z[i] = T.One;
                sum += full.QuadraticForm(z);
                z[i] = T.Zero;
            }
            return Estimate.Exact(sum, block.Count, clock.Elapsed.TotalSeconds);
        }
        var probe = new double[block.Count];
        return MonteCarlo.Mean(_ =>
        {
            ProbeDistribution.Rademacher.Fill(rng, probe);
            for (int i = 0; i < probe.Length; i++) z[block.Offset + i] = T.CreateTruncating(probe[i]);
            return full.QuadraticForm(z);
        }, rule, productsPerSample: 1);
    }
}
