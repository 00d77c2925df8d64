namespace SharpEdge.Sweeps;

/// <summary>
/// The tasks of a spec: the Cartesian product of its axes (first axis outermost, the seed axis innermost), each
/// with the fixed flags and its axis values as <c>--key value</c> flags, sorted by key. Two points of the product
/// that give the same flags (a repeated value, <c>1</c> and <c>1.0</c>) are an error: one task would be done twice.
/// </summary>
public static class SweepExpansion
{
    public static IReadOnlyList<SweepTask> Expand(SweepSpec spec)
    {
        ArgumentNullException.ThrowIfNull(spec);
        foreach (var axis in spec.Axes)
            if (axis.Length == 0) throw new ArgumentException($"sweep '{spec.Name}': axis {string.Join(",", axis.Keys)} is empty");
        long count = spec.Axes.Aggregate(1L, (n, a) => n * a.Length);
        if (count > 1_000_000) throw new ArgumentException($"sweep '{spec.Name}' expands to {count} tasks; split it (at most 1,000,000)");

        var tasks = new List<SweepTask>((int)count);
        var byKey = new Dictionary<string, SweepTask>();
        var index = new int[spec.Axes.Count];
        for (int position = 0; position < count; position++)
        {
            var axisValues = spec.Axes.SelectMany((axis, a) => axis.At(index[a])).ToList();
            var flags = spec.Args.Select(a => (a.Key, a.Value)).Concat(axisValues.Select(a => (a.Key, (string?)a.Value)))
                .OrderBy(f => f.Key, StringComparer.Ordinal).ToList();
            var args = new List<string>();
            foreach (var (key, value) in flags)
            {
                args.Add("--" + key);
                if (value is not null) args.Add(value);
            }
            var task = new SweepTask(SweepTask.KeyOf(spec.Command, args), position, axisValues, args);
            if (byKey.TryGetValue(task.Key, out var twin))
                throw new ArgumentException($"sweep '{spec.Name}': tasks #{twin.Position} ({twin.Label}) and #{position} ({task.Label}) are the same task " +
                                            "(a value repeated on an axis?)");
            byKey[task.Key] = task;
            tasks.Add(task);
            for (int a = spec.Axes.Count - 1; a >= 0; a--)
            {
                if (++index[a] < spec.Axes[a].Length) break;
                index[a] = 0;
            }
        }
        return tasks;
    }
}
