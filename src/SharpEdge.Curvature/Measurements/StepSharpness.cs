using System.Diagnostics;
using System.Numerics;

namespace SharpEdge.Curvature.Measurements;

/// <summary>
/// Step sharpness g_Bᵀ H_B g_B / g_Bᵀ g_B on the batch B the next step trains on (eoss_spec §7.2; the seed
/// code's "batch sharpness" column): the curvature of the batch loss along the step about to be taken. Exact
/// for that batch (no standard error). Cost: one batch sample of
/// <see cref="Nn.Objective{T}.CurvatureAlongGradient"/> (about one forward pass for small MLP batches).
/// </summary>
public sealed class StepSharpness : IMeasurement
{
    public string Name => "step-sharpness";
    public string Summary => "g_Bᵀ H_B g_B / ‖g_B‖² on the current training batch";
    public MeasurementNeeds Needs => MeasurementNeeds.TrainingBatch;
    public Cadence Cadence => Cadence.Every(16);

    public MeasurementResult Measure<T>(MeasurementContext<T> context) where T : unmanaged, IFloatingPointIeee754<T>
    {
        var clock = Stopwatch.StartNew();
        var (_, norm, curvature) = context.TrainingBatchObjective.CurvatureAlongGradient(context.Theta);
        var value = curvature / norm;
        if (!double.IsFinite(value)) throw new InvalidOperationException($"step sharpness is {curvature}/{norm}: the batch gradient vanishes");
        return new MeasurementResult(Name, Estimate.Exact(value, 1, clock.Elapsed.TotalSeconds));
    }
}
