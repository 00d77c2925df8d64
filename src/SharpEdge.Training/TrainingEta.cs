namespace SharpEdge.Training;

/// <summary>
/// Time left in a training session, from what its parts have cost so far and how often each will still run: the
/// steps left at the mean step time, each scheduled measurement at its mean cost per call times the steps its cadence
/// still fires at (and once more at the end), and the rest of the session's time (evaluations, checkpoints, the store)
/// spread over the steps. Unlike steps left ÷ steps per second, it is not thrown off by cadences that are dense early
/// (λ_max every step below 128, then every 256th): there the plain rate takes the early measurements for the norm and
/// overstates the rest of the run many times over.
/// </summary>
public static class TrainingEta
{
    /// <summary>
    /// Seconds left at <paramref name="step"/> of <paramref name="steps"/>, or null before a step of this session has
    /// been timed. <paramref name="shares"/> and <paramref name="elapsedSeconds"/> cover this session, in which
    /// <paramref name="stepsDone"/> steps ran.
    /// </summary>
    public static double? Remaining(long step, long steps, int batchSize, IReadOnlyList<ScheduledMeasurement> scheduled,
        IReadOnlyList<TimeShare> shares, double elapsedSeconds, long stepsDone)
    {
        var stepShare = shares.FirstOrDefault(s => s.Name == TimeAccount.Steps);
        if (stepShare is not { Calls: > 0 } || stepsDone <= 0) return null;
        long left = Math.Max(0, steps - step);
        double seconds = left * stepShare.Seconds / stepShare.Calls;
        double accounted = shares.Sum(s => s.Seconds);
        long mostCalls = 0;
        foreach (var m in scheduled)
        {
            if (shares.FirstOrDefault(s => s.Name == m.Measurement.Name) is not { Calls: > 0 } share) continue;   // not yet run: no cost known
            long calls = m.Cadence.FiresBetween(step, steps, batchSize) + 1;   // + the end, where every measurement is taken
            seconds += calls * share.Seconds / share.Calls;
            mostCalls = Math.Max(mostCalls, calls);
        }
        // The linearization the measurements of a step share: once per measured step, as many as the most frequent one's.
        if (shares.FirstOrDefault(s => s.Name == TimeAccount.Linearization) is { Calls: > 0 } linearization)
            seconds += mostCalls * linearization.Seconds / linearization.Calls;
        seconds += left * Math.Max(0, elapsedSeconds - accounted) / stepsDone;
        return seconds;
    }
}
