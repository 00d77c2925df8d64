using System.Diagnostics;
using SharpEdge.Runs;

namespace SharpEdge.Sweeps;

/// <summary>
/// The local backend: <c>workers</c> threads, each claiming the next pending task from the run store and running
/// it as a process of its own (<see cref="TaskAttempt"/>), then merging its result (<see cref="TaskCollector"/>).
/// A task that fails is retried up to the spec's limit; a task that <c>sweep cancel</c> marks cancelled is
/// stopped within a second. Several pools (even several processes) may work on one sweep: claims are atomic.
/// </summary>
public sealed class LocalPool(RunStore store, SweepRecord sweep, TaskLauncher launcher, int workers, int threadsPerWorker, int retries)
{
    /// <summary>Only these tasks (null: every pending task of the sweep).</summary>
    public IReadOnlyCollection<string>? Keys { get; init; }

    /// <summary>
    /// GPUs to spread the workers over (CUDA ids or UUIDs; null: the tasks see every GPU): worker w's tasks see only
    /// <c>Gpus[w mod count]</c>, through <c>CUDA_VISIBLE_DEVICES</c>, so each task with <c>--device cuda</c> takes the one it is given.
    /// </summary>
    public IReadOnlyList<string>? Gpus { get; init; }

    /// <summary>The variable CUDA reads to hide every GPU but the listed ones from a process.</summary>
    public const string VisibleDevicesVariable = "CUDA_VISIBLE_DEVICES";

    public Action<SweepProgress>? Progress { get; init; }
    public Action<string>? Log { get; init; }

    /// <summary>Runs every pending task; returns the tasks finished this time (done, failed), and whether it was interrupted.</summary>
    public (int Done, int Failed, bool Interrupted) Run(CancellationToken cancel = default)
    {
        var folder = new SweepFolder(sweep.Folder);
        var command = sweep.Command.Split(' ', StringSplitOptions.RemoveEmptyEntries);
        int total = store.Tasks(sweep.Name, SweepTaskState.Pending).Count(t => Keys is null || Keys.Contains(t.Key));
        int done = 0, failed = 0, running = 0;
        var clock = Stopwatch.StartNew();
        void Report() => Progress?.Invoke(new SweepProgress(Volatile.Read(ref done), Volatile.Read(ref failed), Volatile.Read(ref running), total, clock.Elapsed));

        store.SetSweepOwner(sweep.Name, Environment.ProcessId);
        try
        {
            var threads = Enumerable.Range(0, Math.Max(1, workers)).Select(w => Task.Factory.StartNew(() =>
            {
                var environment = Gpus is { Count: > 0 } gpus ? new Dictionary<string, string> { [VisibleDevicesVariable] = gpus[w % gpus.Count] } : null;
                while (!cancel.IsCancellationRequested && store.ClaimTask(sweep.Name, Keys) is { } task)
                {
                    Interlocked.Increment(ref running);
                    var taskFolder = folder.Task(task.Key);
                    var outcome = TaskAttempt.Run(launcher, command, task.Key, task.Args, taskFolder, threadsPerWorker, sweep.WorkingDirectory,
                        stillWanted: () => store.FindTask(sweep.Name, task.Key)?.State == SweepTaskState.Running,
                        started: pid => store.SetTaskProcess(sweep.Name, task.Key, pid), cancel, environment);
                    Interlocked.Decrement(ref running);
                    if (cancel.IsCancellationRequested)
                    {
                        store.CancelTasks(sweep.Name, [task.Key]);
                        break;
                    }
                    if (store.FindTask(sweep.Name, task.Key)?.State != SweepTaskState.Running) continue; // cancelled meanwhile
                    var state = TaskCollector.Record(store, sweep.Name, task.Key, taskFolder, outcome, retries);
                    if (state == SweepTaskState.Done) Interlocked.Increment(ref done);
                    else if (state == SweepTaskState.Failed) Interlocked.Increment(ref failed);
                    if (!outcome.Succeeded)
                        Log?.Invoke($"sweep {sweep.Name}: task {task.Key} ({task.Label}) attempt {task.Attempts} failed: {outcome.Error}" +
                                    (state == SweepTaskState.Pending ? " (will retry)" : ""));
                    Report();
                }
            }, TaskCreationOptions.LongRunning)).ToArray();
            Task.WaitAll(threads);
        }
        finally
        {
            store.SetSweepOwner(sweep.Name, null);
        }
        if (total > 0) Report();
        return (done, failed, cancel.IsCancellationRequested);
    }
}
