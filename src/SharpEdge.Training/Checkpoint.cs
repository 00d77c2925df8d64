namespace SharpEdge.Training;

/// <summary>
/// Everything the training loop carries from one step to the next, at the top of step <see cref="Step"/>: before
/// that step's measurements and update, after <see cref="Step"/> updates. Nothing else is needed to continue
/// bit-identically: the batch order is a function of (order seed, step) and measurement seeds are functions of
/// the step, so there is no random-number state to save.
/// </summary>
public sealed record Checkpoint
{
    public required long Step { get; init; }
    public required CheckpointKind Kind { get; init; }
    /// <summary>θ after <see cref="Step"/> updates, in the model's parameter layout.</summary>
    public required float[] Theta { get; init; }
    public required string OptimizerName { get; init; }
    /// <summary>The optimiser's update count (Adam's bias correction, the first momentum step).</summary>
    public required long OptimizerSteps { get; init; }
    /// <summary>The optimiser's named buffers (<see cref="Optimizer{T}.State"/>), each in the parameter layout.</summary>
    public required IReadOnlyDictionary<string, float[]> OptimizerState { get; init; }
    /// <summary>The model's buffers (BatchNorm running statistics) in its buffer layout; empty for models without.</summary>
    public float[] Buffers { get; init; } = [];
    /// <summary>Warm starts of the eigensolvers (<see cref="Curvature.Measurements.EigenvectorCache.Entries"/>).</summary>
    public IReadOnlyList<(string Key, IReadOnlyList<double[]> Vectors)> WarmStart { get; init; } = [];
    /// <summary>Sum and count of the batch losses of the current epoch so far (stop loss, eoss_spec §9.4).</summary>
    public double EpochLossSum { get; init; }
    public long EpochLossCount { get; init; }
    /// <summary>The batch size the epoch accumulators refer to.</summary>
    public int BatchSize { get; init; }
    /// <summary>Training wall time up to this step, over every process that worked on the run.</summary>
    public double Seconds { get; init; }
}

/// <summary>
/// Why a checkpoint was written. Step checkpoints (the cadence, and the first step of a run or fork) and final
/// ones are kept as fork points; timed and interrupt checkpoints only bridge to the next one and are deleted
/// once a later checkpoint exists.
/// </summary>
public enum CheckpointKind
{
    Step,
    Final,
    Time,
    Interrupt,
}

public static class CheckpointKindText
{
    public static string ToText(this CheckpointKind kind) => kind switch
    {
        CheckpointKind.Step => "step",
        CheckpointKind.Final => "final",
        CheckpointKind.Time => "time",
        CheckpointKind.Interrupt => "interrupt",
        _ => throw new ArgumentOutOfRangeException(nameof(kind), kind, "unknown checkpoint kind"),
    };

    public static CheckpointKind? Parse(string? text) => text switch
    {
        "step" => CheckpointKind.Step,
        "final" => CheckpointKind.Final,
        "time" => CheckpointKind.Time,
        "interrupt" => CheckpointKind.Interrupt,
        _ => null,
    };

    /// <summary>Whether the checkpoint only bridges to the next one.</summary>
    public static bool IsTransient(this CheckpointKind kind) => kind is CheckpointKind.Time or CheckpointKind.Interrupt;
}
