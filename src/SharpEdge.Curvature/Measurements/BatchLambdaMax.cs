using System.Numerics;

namespace SharpEdge.Curvature.Measurements;

/// <summary>
/// Batch λ_max: E_B[λ_max(H_B)] over random batches, with its standard error, and the largest value seen (part
/// <c>max</c>, HEAD's max_batch_lambda_max) (eoss_spec §7.5). By convexity of λ_max it is at least λ_max(H).
/// Each sample is an LOBPCG solve (k = 1, memory 8 parameter vectors per worker) on the batch Hessian to
/// <see cref="MeasurementContext{T}.BatchTolerance"/> (10⁻³; HEAD: reltol 0.05), cold-started with a seed of
/// its own. Stops like HEAD: more than 10 samples, at most 50, relative SE 5 %. Cost per sample: one batch
/// gradient plus the solve's batch H·v products (typically 10–40), samples in parallel over workers.
/// </summary>
public sealed class BatchLambdaMax : IMeasurement
{
    public static readonly StoppingRule DefaultStopping = new(11, 50, 0.05);

    public string Name => "batch-lambda-max";
    public string Summary => "E_B[λ_max(H_B)] over random batches (part max: the largest seen)";
    public MeasurementNeeds Needs => MeasurementNeeds.BatchSize;
    public Cadence Cadence => Cadence.Every(512, 128).Times(2, 10_000).Times(2, 30_000);

    public MeasurementResult Measure<T>(MeasurementContext<T> context) where T : unmanaged, IFloatingPointIeee754<T>
    {
        var rule = context.Stopping(DefaultStopping);
        var theta = context.Theta;
        var tolerance = context.BatchTolerance;
        var stream = context.Sampler.Stream((worker, sample, values) =>
        {
            worker.Objective.Linearize(theta, worker.Gradient);
            var solve = new Lobpcg { Count = 1, Tolerance = tolerance, Seed = context.BatchSolverSeed(sample) }.Solve(worker.Hessian);
            values[0] = solve.Values[0];
            values[1] = solve.Products;
            values[2] = solve.Converged ? 0 : 1;
        }, 3, rule.MaxSamples);
        double max = double.NegativeInfinity;
        int products = 0, unconverged = 0;
        var estimate = MonteCarlo.Mean(i =>
        {
            var v = stream[i];
            max = Math.Max(max, v[0]);
            products += (int)v[1];
            unconverged += (int)v[2];
            return v[0];
        }, rule);
        var details = new Dictionary<string, object> { ["unconverged_solves"] = unconverged };
        return new MeasurementResult(Name, estimate with { Products = products },
            parts: [new MeasurementPart("max", new Estimate(max, null, estimate.Samples, 0, 0))], details: details);
    }
}
