using System.Diagnostics;
using System.Numerics;

namespace SharpEdge.Curvature.Measurements;

/// <summary>
/// λ_max(H_B) on the batch the next step trains on (eoss_spec §7.5: HEAD <c>--step-batch-lambda-max</c>, the
/// seed's batch λ_max column), largest algebraic, with the context's solver and tolerance and a cold start (the
/// batch changes every step). Exact for that batch. Cost: one batch gradient and the solver's batch H·v products.
/// </summary>
public sealed class StepBatchLambdaMax : IMeasurement
{
    public string Name => "step-batch-lambda-max";
    public string Summary => "λ_max(H_B) on the current training batch";
    public MeasurementNeeds Needs => MeasurementNeeds.TrainingBatch;
    public Cadence Cadence => Cadence.Every(32).Times(2, 10_000).Times(2, 30_000);

    public MeasurementResult Measure<T>(MeasurementContext<T> context) where T : unmanaged, IFloatingPointIeee754<T>
    {
        var clock = Stopwatch.StartNew();
        var objective = context.TrainingBatchObjective;
        objective.Linearize(context.Theta, new T[context.ParameterCount]);
        var solve = EigenSolvers.TopK(new HessianOperator<T>(objective), 1, context.SolverOptions() with { ReturnVectors = false });
        var result = MeasurementResult.FromEigenpairs(Name, solve with { Seconds = clock.Elapsed.TotalSeconds }, shared: false);
        return result;
    }
}
