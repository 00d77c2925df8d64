using System.Diagnostics;
using System.Globalization;
using SharpEdge.Runs;

namespace SharpEdge.Sweeps.Slurm;

/// <summary>
/// The Slurm backend: pending tasks go out as job arrays (at most MaxArraySize elements each), each element runs
/// one task with <c>sharpedge sweep exec</c> and writes only its task folder; this process follows the arrays
/// with <c>squeue</c>, merges each finished task into the run store as its <c>outcome.json</c> appears, and
/// counts an element that left the queue without one as a failed attempt (cancelled, timed out, node lost).
/// Only this process writes the store, so SQLite never sees writers on many nodes.
/// </summary>
public sealed class SlurmBackend(RunStore store, SweepRecord sweep, SlurmClient slurm, TaskLauncher launcher, SlurmSettings settings,
                                 int threadsPerTask, int? throttle, int retries)
{
    private readonly SweepFolder folder = new(sweep.Folder);

    public Action<SweepProgress>? Progress { get; init; }
    public Action<string>? Log { get; init; }

    /// <summary>Submits every pending task; returns the job ids.</summary>
    public IReadOnlyList<string> Submit()
    {
        var pending = store.Tasks(sweep.Name, SweepTaskState.Pending);
        if (pending.Count == 0) return [];
        int max = settings.MaxArraySize ?? slurm.MaxArraySize();
        var logs = Path.Combine(folder.Slurm, "logs");
        Directory.CreateDirectory(logs);
        var stamp = DateTime.UtcNow.ToString("yyyyMMdd-HHmmss-fff", CultureInfo.InvariantCulture);
        var command = sweep.Command.Split(' ', StringSplitOptions.RemoveEmptyEntries);
        var jobs = new List<string>();
        int n = 0;
        foreach (var (start, count) in SlurmScript.Chunks(pending.Count, max))
        {
            var tasks = pending.Skip(start).Take(count).ToList();
            foreach (var task in tasks) // no stale marker of an earlier attempt
                if (File.Exists(Path.Combine(folder.Task(task.Key), SweepFolder.OutcomeFile))) File.Delete(Path.Combine(folder.Task(task.Key), SweepFolder.OutcomeFile));
            var chunkPath = Path.Combine(folder.Slurm, $"array-{stamp}-{n}.json");
            var scriptPath = Path.Combine(folder.Slurm, $"array-{stamp}-{n}.sh");
            n++;
            new SlurmChunk(sweep.Name, command, sweep.Folder, sweep.WorkingDirectory, threadsPerTask,
                tasks.Select(t => new SlurmChunkTask(t.Key, t.Args)).ToList()).Write(chunkPath);
            Numerics.Io.AtomicFile.WriteText(scriptPath, w => w.Write(
                SlurmScript.Text($"sweep-{sweep.Name}", count, throttle, threadsPerTask, settings, logs, sweep.WorkingDirectory, launcher, chunkPath)));
            var job = slurm.Submit(scriptPath);
            store.MarkSubmitted(sweep.Name, tasks.Select((t, i) => (t.Key, $"{job}_{i}")).ToList());
            Log?.Invoke($"sweep {sweep.Name}: submitted job {job}, array of {count} task(s) ({scriptPath})");
            jobs.Add(job);
        }
        return jobs;
    }

    /// <summary>
    /// Merges the tasks whose element has finished and fails (or re-queues, within the retry limit) those whose
    /// element left the queue without a result. Returns how many of the sweep's elements are still queued or running.
    /// </summary>
    public (int Active, int Done, int Failed) Collect()
    {
        var submitted = store.Tasks(sweep.Name).Where(t => t.Job is not null && t.State != SweepTaskState.Done).ToList();
        var jobs = submitted.Select(t => JobOf(t.Job!)).Distinct().ToList();
        var active = slurm.Active(jobs); // asked before the markers are read: an element that has left the queue has written its marker
        int done = 0, failed = 0;
        var lost = new List<SweepTaskRecord>();
        foreach (var task in submitted)
        {
            var taskFolder = folder.Task(task.Key);
            var outcome = TaskOutcome.Read(taskFolder);
            if (outcome is not null && (task.State == SweepTaskState.Running || outcome.Succeeded))
            {
                var state = TaskCollector.Record(store, sweep.Name, task.Key, taskFolder, outcome, retries);
                if (state == SweepTaskState.Done) done++;
                if (state == SweepTaskState.Failed) failed++;
                if (!outcome.Succeeded) Log?.Invoke($"sweep {sweep.Name}: task {task.Key} ({task.Label}) failed on {task.Job}: {outcome.Error}");
            }
            else if (task.State == SweepTaskState.Running && !active.ContainsKey(task.Job!)) lost.Add(task);
        }
        if (lost.Count > 0)
        {
            var ended = slurm.Ended(lost.Select(t => JobOf(t.Job!)).Distinct().ToList());
            foreach (var task in lost)
            {
                var how = ended.TryGetValue(task.Job!, out var state) ? state : "cancelled, timed out or its node failed";
                var error = $"Slurm array element {task.Job} ended without a result ({how}); see {Path.Combine(folder.Slurm, "logs")}";
                if (store.FailTask(sweep.Name, task.Key, error, retries) == SweepTaskState.Failed) failed++;
                Log?.Invoke($"sweep {sweep.Name}: task {task.Key} ({task.Label}): {error}");
            }
        }
        return (submitted.Count(t => t.Job is { } j && active.ContainsKey(j)), done, failed);
    }

    /// <summary>Collects until none of the sweep's elements is left in the queue, resubmitting tasks that have retries left.</summary>
    public void Follow(TimeSpan poll, CancellationToken cancel = default)
    {
        var clock = Stopwatch.StartNew();
        int total = store.Tasks(sweep.Name, SweepTaskState.Running).Count(t => t.Job is not null);
        int done = 0, failed = 0;
        while (true)
        {
            var (active, newlyDone, newlyFailed) = Collect();
            done += newlyDone;
            failed += newlyFailed;
            if (store.Tasks(sweep.Name, SweepTaskState.Pending).Count > 0) Submit();
            Progress?.Invoke(new SweepProgress(done, failed, active, total, clock.Elapsed));
            if (active == 0 && !store.Tasks(sweep.Name, SweepTaskState.Running).Any(t => t.Job is not null)) return;
            if (cancel.WaitHandle.WaitOne(poll)) return;
        }
    }

    /// <summary>Cancels the sweep's queued and running elements (scancel) and marks their tasks cancelled; returns how many tasks.</summary>
    public static int Cancel(RunStore store, string sweepName, SlurmClient slurm)
    {
        var cancelled = store.CancelTasks(sweepName);
        slurm.Cancel(cancelled.Where(t => t.State == SweepTaskState.Running && t.Job is not null).Select(t => t.Job!).ToList());
        return cancelled.Count;
    }

    private static string JobOf(string element) => element.Split('_')[0];
}
