using SharpEdge.Runs;

namespace SharpEdge.Sweeps;

/// <summary>One task's value of a metric at its place on the x axis and in a series, with the task's 2/η.</summary>
public readonly record struct LineSample(string Metric, double X, double? Series, double Value, double? Threshold);

/// <summary>
/// A point of a sweep line figure: the mean and its standard error over the <see cref="Count"/> tasks that share
/// (metric, series, x) and have a finite value. <see cref="Threshold"/> is the 2/η they share (1 when
/// normalised), null when their learning rates differ or are unknown. NaN mean with count 0: no finite value;
/// NaN standard error with count 1: a single task says nothing about the spread.
/// </summary>
public sealed record LinePoint(string Metric, double? Series, double X, double Mean, double StandardError, int Count, double? Threshold);

/// <summary>
/// The data of <c>sweep plot --x AXIS [--series AXIS] --value M1,M2</c>: per metric, per value of the series axis
/// and per x, the mean ± standard error over seeds (and any other axis not drawn) of each task's plateau.
/// </summary>
public static class SweepLines
{
    /// <summary>
    /// Each task's plateau (<see cref="SweepObservable"/>) of each metric, at the task's x (and series) value;
    /// with <paramref name="normalize"/> divided by the task's own 2/η. <paramref name="series"/> is the second axis
    /// (a line per value, or a heatmap's y). Throws for an axis the sweep lacks and a metric no task has.
    /// </summary>
    public static IReadOnlyList<LineSample> Collect(RunStore store, FinishedTasks tasks, IReadOnlyList<string> metrics,
        string x, string? series, bool normalize)
    {
        tasks.RequireAxis(x);
        if (series is not null)
        {
            tasks.RequireAxis(series);
            if (series == x) throw new ArgumentException($"axis '{x}' cannot be drawn twice; pick two different axes");
        }
        var samples = new List<LineSample>();
        foreach (var metric in metrics)
        {
            string? missing = null;
            bool any = false;
            foreach (var task in tasks.Tasks)
            {
                var (value, why) = SweepObservable.Of(store, task.Run, metric);
                missing ??= why;
                any |= value is not null;
                double? threshold = task.StabilityThreshold;
                double v = value ?? double.NaN;
                if (normalize)
                {
                    if (threshold is not double t)
                        throw new ArgumentException($"--normalize divides by 2/η, the stability threshold of plain SGD, but run {task.Run.Id} {task.NoThresholdReason}");
                    (v, threshold) = (v / t, 1);
                }
                samples.Add(new LineSample(metric, task.Number(x), series is null ? null : task.Number(series), v, threshold));
            }
            if (!any) throw new ArgumentException($"sweep {tasks.Sweep}: no task has a value of '{metric}': {missing}");
        }
        return samples;
    }

    /// <summary>Groups samples by (metric, series, x): metrics in order of first appearance, then series and x ascending.</summary>
    public static IReadOnlyList<LinePoint> Summarise(IEnumerable<LineSample> samples)
    {
        var list = samples.ToList();
        var metricOrder = list.Select(s => s.Metric).Distinct().ToList();
        return list.GroupBy(s => (s.Metric, s.Series, s.X))
            .OrderBy(g => metricOrder.IndexOf(g.Key.Metric)).ThenBy(g => g.Key.Series ?? double.NegativeInfinity).ThenBy(g => g.Key.X)
            .Select(g =>
            {
                var values = g.Select(s => s.Value).Where(double.IsFinite).ToList();
                var thresholds = g.Select(s => s.Threshold).Distinct().ToList();
                double? shared = thresholds.Count == 1 ? thresholds[0] : null;
                return new LinePoint(g.Key.Metric, g.Key.Series, g.Key.X, values.Count == 0 ? double.NaN : values.Average(),
                    StandardError(values), values.Count, shared);
            })
            .ToList();
    }

    /// <summary>Sample standard deviation (n − 1) over √n; NaN for fewer than two values.</summary>
    public static double StandardError(IReadOnlyList<double> values)
    {
        int n = values.Count;
        if (n < 2) return double.NaN;
        double mean = values.Average();
        double squares = values.Sum(v => (v - mean) * (v - mean));
        return Math.Sqrt(squares / (n - 1) / n);
    }
}
