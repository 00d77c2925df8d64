using SharpEdge.Runs;

namespace SharpEdge.Sweeps;

/// <summary>
/// Brings a finished attempt into the main run store: on success the runs of the task's own store (with their
/// metrics) are merged and the task marked done in one transaction; on failure the task is retried or failed.
/// Merging is idempotent (a task already done is skipped), so collecting twice changes nothing.
/// </summary>
public static class TaskCollector
{
    public static SweepTaskState Record(RunStore store, string sweep, string key, string folder, TaskOutcome outcome, int retries)
    {
        if (!outcome.Succeeded) return store.FailTask(sweep, key, outcome.Error ?? $"exit code {outcome.ExitCode}", retries, outcome.Seconds);
        store.CompleteTask(sweep, key, ReadRuns(folder), outcome.Seconds);
        return SweepTaskState.Done;
    }

    /// <summary>The runs in the task folder's own <c>runs.db</c>, oldest first (none when the task kept no store).</summary>
    public static IReadOnlyList<(RunRecord Run, IReadOnlyList<MetricRow> Metrics)> ReadRuns(string folder)
    {
        var path = Path.Combine(folder, RunStore.FileName);
        if (!File.Exists(path)) return [];
        using var own = RunStore.OpenFile(path, readOnly: true);
        return own.ListRuns().Select(r => (r, own.Metrics(r.Id))).ToList();
    }

    /// <summary>
    /// Local sweeps: tasks not done whose last attempt finished (an <c>outcome.json</c> saying so) but whose sweep
    /// process died before merging it, are merged now. Tasks a live sweep process is running are left to it.
    /// Returns how many were merged.
    /// </summary>
    public static int CollectFinished(RunStore store, SweepRecord sweep)
    {
        var folder = new SweepFolder(sweep.Folder);
        var abandoned = store.AbandonedTasks(sweep.Name).Select(t => t.Key).ToHashSet();
        int merged = 0;
        foreach (var task in store.Tasks(sweep.Name))
        {
            if (task.State == SweepTaskState.Done || (task.State == SweepTaskState.Running && !abandoned.Contains(task.Key))) continue;
            var taskFolder = folder.Task(task.Key);
            if (TaskOutcome.Read(taskFolder) is { Succeeded: true } outcome && store.CompleteTask(sweep.Name, task.Key, ReadRuns(taskFolder), outcome.Seconds)) merged++;
        }
        return merged;
    }
}
