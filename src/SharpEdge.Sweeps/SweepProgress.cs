namespace SharpEdge.Sweeps;

/// <summary>Where a running sweep stands: tasks finished this session (done or failed for good) of those it set out to run.</summary>
public sealed record SweepProgress(int Done, int Failed, int Running, int Total, TimeSpan Elapsed)
{
    public double Fraction => Total == 0 ? 1 : (double)(Done + Failed) / Total;

    /// <summary>Elapsed time per finished task times the tasks left; null before the first finishes.</summary>
    public TimeSpan? Remaining => Done + Failed == 0 ? null : Elapsed / (Done + Failed) * (Total - Done - Failed);
}
