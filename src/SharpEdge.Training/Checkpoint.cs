using SharpEdge.Numerics;

namespace SharpEdge.Training;

/// <summary>
/// Everything the training loop carries from one step to the next, at the top of step <see cref="Step"/>: before
/// that step's measurements and update, after <see cref="Step"/> updates. Nothing else is needed to continue
/// bit-identically: the batch order is a function of (order seed, step), measurement seeds are functions of the
/// step, and the only random state, that of noisy GD and the SDE, is saved here, as are the anchor of quadratic
/// dynamics and the eigenvectors of projected SGD.
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
    /// <summary>Noisy GD and the SDE: the noise generator's seed and state (<see cref="NoiseState"/>); null for minibatch runs.</summary>
    public ulong? NoiseSeed { get; init; }
    public RngState? NoiseGenerator { get; init; }
    /// <summary>diag and iso noise: the kept per-sample gradient variances and the step they were computed at.</summary>
    public double[]? NoiseVariance { get; init; }
    public long NoiseVarianceStep { get; init; } = -1;
    /// <summary>Quadratic dynamics past its switch: the anchor θ_s, δ and s (<see cref="TaylorAnchor"/>); null otherwise.</summary>
    public TaylorAnchor? Quadratic { get; init; }
    /// <summary>Projected SGD past its switch: the eigenvectors in use (<see cref="ProjectionBasis"/>); null otherwise.</summary>
    public ProjectionBasis? Projection { get; init; }
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
