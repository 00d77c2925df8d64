using System.Diagnostics;

namespace SharpEdge.TeacherStudent;

/// <summary>
/// Counts epochs from all training threads and calls the user's callback at most once per interval (never
/// from two threads at once; a thread that finds the callback busy skips it instead of waiting).
/// </summary>
internal sealed class ProgressTracker
{
    private readonly Action<TrainingProgress>? callback;
    private readonly long epochsTotal;
    private readonly int seedsTotal;
    private readonly long intervalTicks;
    private readonly Stopwatch clock = Stopwatch.StartNew();
    private readonly Lock reporting = new();
    private long epochsDone;
    private int seedsDone;
    private long nextReportTicks;

    public ProgressTracker(Action<TrainingProgress>? callback, long epochsTotal, int seedsTotal, TimeSpan interval)
    {
        this.callback = callback;
        this.epochsTotal = epochsTotal;
        this.seedsTotal = seedsTotal;
        intervalTicks = (long)(interval.TotalSeconds * Stopwatch.Frequency);
        nextReportTicks = intervalTicks;
    }

    public void AddEpochs(long epochs)
    {
        Interlocked.Add(ref epochsDone, epochs);
        if (callback is null || clock.ElapsedTicks < Volatile.Read(ref nextReportTicks)) return;
        if (!reporting.TryEnter()) return;
        try
        {
            Volatile.Write(ref nextReportTicks, clock.ElapsedTicks + intervalTicks);
            callback(Snapshot());
        }
        finally
        {
            reporting.Exit();
        }
    }

    public void SeedFinished() => Interlocked.Increment(ref seedsDone);

    /// <summary>The final report, made whatever the interval.</summary>
    public void Finish()
    {
        if (callback is null) return;
        lock (reporting) callback(Snapshot());
    }

    private TrainingProgress Snapshot() =>
        new(Interlocked.Read(ref epochsDone), epochsTotal, Volatile.Read(ref seedsDone), seedsTotal, clock.Elapsed);
}
