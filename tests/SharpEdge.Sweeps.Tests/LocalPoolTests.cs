using System.Diagnostics;
using SharpEdge.Runs;
using SharpEdge.Tests;

namespace SharpEdge.Sweeps.Tests;

/// <summary>
/// The local pool with tasks that are small shell scripts instead of sharpedge commands: each logs its attempt,
/// may crash once or hang until told otherwise, and logs its completion, so counts of attempts and completions
/// can be checked exactly.
/// </summary>
public sealed class LocalPoolTests : IDisposable
{
    private readonly TempFolder temp = new();

    public void Dispose() => temp.Dispose();

    private TaskLauncher Script() => new("/bin/sh", ["-c",
        $"""
        while [ $# -gt 0 ]; do case "$1" in --results) R="$2";; --lr) LR="$2";; esac; shift; done
        [ -d "$R" ] || exit 9
        echo "$LR" >> '{temp.Path}/attempts.log'
        if [ "$LR" = 3 ] && [ ! -e '{temp.Path}/crashed' ]; then touch '{temp.Path}/crashed'; echo 'sharpedge: error: lr 3 crashes once' >&2; exit 3; fi
        if [ "$LR" = 4 ] && [ ! -e '{temp.Path}/fast' ]; then exec sleep 60; fi
        echo "$LR" >> '{temp.Path}/completed.log'
        """, "task"]);

    private (RunStore Store, SweepRecord Sweep) Register(params string[] lrs)
    {
        var store = RunStore.Open(temp.File("results"));
        var spec = SweepSpecReader.Parse($"{{name: pool, command: train, grid: {{lr: [{string.Join(", ", lrs)}]}}}}");
        var sweep = new SweepRecord
        {
            Name = spec.Name, Command = spec.Command, Spec = spec.Text, Folder = SweepFolder.For(temp.File("results"), spec.Name).Root, WorkingDirectory = temp.Path,
        };
        store.RegisterSweep(sweep, SweepExpansion.Expand(spec).Select(t => t.ToDraft()).ToList());
        return (store, sweep);
    }

    private string[] Lines(string name) => File.Exists(temp.File(name)) ? File.ReadAllLines(temp.File(name)) : [];

    /// <summary>Runs the pool on a thread of its own (the test watches the store meanwhile).</summary>
    private sealed class Background
    {
        private readonly Thread thread;
        public (int Done, int Failed, bool Interrupted) Result { get; private set; }

        public Background(LocalPool pool)
        {
            thread = new Thread(() => Result = pool.Run()) { IsBackground = true };
            thread.Start();
        }

        public bool Join(TimeSpan timeout) => thread.Join(timeout);
    }

    private static SweepTaskRecord WaitUntilRunning(RunStore store, string label)
    {
        var clock = Stopwatch.StartNew();
        while (clock.Elapsed < TimeSpan.FromSeconds(60))
        {
            if (store.Tasks("pool").Single(t => t.Label == label) is { State: SweepTaskState.Running, Pid: not null } task) return task;
            Thread.Sleep(50);
        }
        throw new TimeoutException($"task {label} never ran");
    }

    [Fact]
    public void Each_worker_gives_its_tasks_one_gpu_of_the_list()
    {
        var (store, sweep) = Register("1", "2", "3", "4", "5", "6");
        using (store)
        {
            // each task logs the GPUs it may see; a short sleep lets both workers take tasks
            var script = new TaskLauncher("/bin/sh", ["-c",
                $$"""
                while [ $# -gt 0 ]; do case "$1" in --lr) LR="$2";; esac; shift; done
                sleep 0.2
                echo "$LR ${{{LocalPool.VisibleDevicesVariable}}-all}" >> '{{temp.Path}}/gpus.log'
                """, "task"]);
            var result = new LocalPool(store, sweep, script, workers: 2, threadsPerWorker: 1, retries: 0) { Gpus = ["3", "GPU-5d2c"] }.Run();
            Assert.Equal((6, 0, false), result);
            var seen = Lines("gpus.log").Select(l => l.Split(' ')).ToList();
            Assert.Equal(["1", "2", "3", "4", "5", "6"], seen.Select(s => s[0]).Order());
            Assert.All(seen, s => Assert.Contains(s[1], new[] { "3", "GPU-5d2c" }));
            Assert.Equal(2, seen.Select(s => s[1]).Distinct().Count());   // both workers ran tasks, each on its own GPU
        }
    }

    [Fact]
    public void A_task_that_crashes_is_retried_and_every_task_completes_once()
    {
        var (store, sweep) = Register("1", "2", "3");
        using (store)
        {
            var (done, failed, interrupted) = new LocalPool(store, sweep, Script(), workers: 2, threadsPerWorker: 1, retries: 1).Run();
            Assert.Equal((3, 0, false), (done, failed, interrupted));
            Assert.Equal(["1", "2", "3"], Lines("completed.log").Order());
            Assert.Equal(["1", "2", "3", "3"], Lines("attempts.log").Order());
            var tasks = store.Tasks("pool");
            Assert.All(tasks, t => Assert.Equal(SweepTaskState.Done, t.State));
            Assert.Equal([1, 1, 2], tasks.Select(t => t.Attempts));
            var folder = new SweepFolder(sweep.Folder).Task(tasks[2].Key);
            Assert.True(TaskOutcome.Read(folder)!.Succeeded);   // the folder holds the last attempt only
        }
    }

    [Fact]
    public void Retries_run_out_and_the_task_fails_with_its_own_error_line()
    {
        var (store, sweep) = Register("3");
        using (store)
        {
            var (done, failed, _) = new LocalPool(store, sweep, Script(), 1, 1, retries: 0).Run();
            Assert.Equal((0, 1), (done, failed));
            var task = Assert.Single(store.Tasks("pool"));
            Assert.Equal(SweepTaskState.Failed, task.State);
            Assert.Equal("exit code 3: sharpedge: error: lr 3 crashes once", task.Error);
        }
    }

    [Fact]
    public void Kill_9_of_a_worker_mid_task_fails_that_task_only_and_resume_completes_it_once()
    {
        var (store, sweep) = Register("1", "4", "2");
        using (store)
        {
            var pool = new LocalPool(store, sweep, Script(), 2, 1, retries: 0);
            var running = new Background(pool);
            var slow = WaitUntilRunning(store, "lr=4");
            Process.GetProcessById(slow.Pid!.Value).Kill();   // SIGKILL
            Assert.True(running.Join(TimeSpan.FromSeconds(60)));
            Assert.Equal((2, 1, false), running.Result);
            var killed = store.Tasks("pool").Single(t => t.Label == "lr=4");
            Assert.Equal(SweepTaskState.Failed, killed.State);
            Assert.StartsWith("killed by signal 9", killed.Error);

            File.WriteAllText(temp.File("fast"), "");
            Assert.Equal(1, store.RequeueTasks("pool", [killed.Key]));
            Assert.Equal((1, 0, false), new LocalPool(store, sweep, Script(), 2, 1, retries: 0).Run());
            Assert.All(store.Tasks("pool"), t => Assert.Equal(SweepTaskState.Done, t.State));
            Assert.Equal(["1", "2", "4"], Lines("completed.log").Order());
        }
    }

    [Fact]
    public void A_cancelled_task_is_stopped_within_seconds()
    {
        var (store, sweep) = Register("4");
        using (store)
        {
            var running = new Background(new LocalPool(store, sweep, Script(), 1, 1, retries: 0));
            var task = WaitUntilRunning(store, "lr=4");
            Assert.Single(store.CancelTasks("pool"));
            Assert.True(running.Join(TimeSpan.FromSeconds(30)), "the pool did not stop the cancelled task");
            Assert.Equal(SweepTaskState.Cancelled, store.FindTask("pool", task.Key)!.State);
            Assert.Empty(Lines("completed.log"));
            Assert.Throws<ArgumentException>(() => Process.GetProcessById(task.Pid!.Value));   // the task's process is gone
        }
    }
}
