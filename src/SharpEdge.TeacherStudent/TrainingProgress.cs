namespace SharpEdge.TeacherStudent;

/// <summary>
/// Progress of a cell: epochs trained over all its seeds (a diverged seed counts its skipped epochs as done),
/// finished seeds and elapsed time, with a linear estimate of the time left.
/// </summary>
public readonly record struct TrainingProgress(long EpochsDone, long EpochsTotal, int SeedsDone, int SeedsTotal, TimeSpan Elapsed)
{
    /// <summary>Done fraction in [0, 1].</summary>
    public double Fraction => EpochsTotal == 0 ? 1.0 : (double)EpochsDone / EpochsTotal;

    /// <summary>Elapsed·(remaining/done); null before the first epoch.</summary>
    public TimeSpan? EstimatedRemaining =>
        EpochsDone == 0 ? null : TimeSpan.FromSeconds(Elapsed.TotalSeconds * (EpochsTotal - EpochsDone) / EpochsDone);
}
