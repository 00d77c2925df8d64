namespace SharpEdge.TeacherStudent;

/// <summary>How to train; none of these change what a faithful run computes except where noted.</summary>
public sealed record TrainerOptions
{
    /// <summary>The SGD kernel; <see cref="SimdPath.Auto"/> picks the fastest this machine runs.</summary>
    public SimdPath Path { get; init; } = SimdPath.Auto;

    /// <summary>
    /// Stop after the last saved epoch instead of training all epochs (5 % less work for 100 000 epochs,
    /// phase_ml_spec §3.2). Outputs are identical unless a divergence would have happened in the skipped
    /// epochs, which the original would have written over the last slot (§3.3) — so off by default.
    /// </summary>
    public bool StopAfterLastSave { get; init; }

    /// <summary>Least time between two progress reports (the last report is always made).</summary>
    public TimeSpan ProgressInterval { get; init; } = TimeSpan.FromSeconds(0.5);

    /// <summary>Epochs each seed actually trains under these options.</summary>
    public int EpochsToTrain(SaveSchedule schedule) =>
        StopAfterLastSave ? schedule.LastSavedEpochIndex + 1 : schedule.Epochs;
}
