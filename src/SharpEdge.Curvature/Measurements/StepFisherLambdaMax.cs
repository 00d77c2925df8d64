using System.Diagnostics;
using System.Numerics;

namespace SharpEdge.Curvature.Measurements;

/// <summary>
/// (2/b)·λ_max(J_B J_Bᵀ) on the batch the next step trains on (eoss_spec §7.9, HEAD's fisher_batch), by the
/// output-space kernel <see cref="NeuralTangentKernelOperator{T}"/> of size b·C: the top eigenvalue of the
/// batch MSE Gauss-Newton matrix, for any number of outputs. Exact for that batch, cold-started. Cost: one
/// batch gradient and the solver's batch products (one backward and one R-forward each).
/// </summary>
public sealed class StepFisherLambdaMax : IMeasurement
{
    public string Name => "step-fisher-lambda-max";
    public string Summary => "(2/b) λ_max(J_B J_Bᵀ) on the current training batch";
    public MeasurementNeeds Needs => MeasurementNeeds.TrainingBatch;
    public Cadence Cadence => Cadence.Every(4, 8).Times(2, 10_000);

    public MeasurementResult Measure<T>(MeasurementContext<T> context) where T : unmanaged, IFloatingPointIeee754<T>
    {
        var clock = Stopwatch.StartNew();
        var objective = context.TrainingBatchObjective;
        objective.Linearize(context.Theta, new T[context.ParameterCount]);
        var solve = EigenSolvers.TopK(new NeuralTangentKernelOperator<T>(objective), 1, context.SolverOptions() with { ReturnVectors = false });
        return MeasurementResult.FromEigenpairs(Name, solve with { Seconds = clock.Elapsed.TotalSeconds }, shared: false, scale: 2.0 / objective.Data.Count);
    }
}
