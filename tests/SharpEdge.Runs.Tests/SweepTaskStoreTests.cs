using System.Diagnostics;
using System.Text.Json.Nodes;
using Microsoft.Data.Sqlite;
using SharpEdge.Tests;

namespace SharpEdge.Runs.Tests;

public sealed class SweepTaskStoreTests : IDisposable
{
    private readonly TempFolder temp = new();

    public void Dispose() => temp.Dispose();

    private RunStore Open() => RunStore.Open(temp.Path);

    private static SweepRecord Sweep(string name = "s", string command = "train") =>
        new() { Name = name, Command = command, Spec = "name: " + name, Folder = "/r/sweeps/" + name, WorkingDirectory = "/w" };

    private static List<SweepTaskDraft> Drafts(int count) =>
        Enumerable.Range(0, count).Select(i => new SweepTaskDraft($"k{i:D4}", i, $"lr={i}", $"{{\"lr\":\"{i}\"}}", ["--lr", i.ToString()])).ToList();

    [Fact]
    public void Registering_the_same_tasks_again_adds_nothing()
    {
        using var store = Open();
        Assert.Equal((4, 0), store.RegisterSweep(Sweep(), Drafts(4)));
        Assert.Equal((1, 4), store.RegisterSweep(Sweep(), Drafts(5)));
        var tasks = store.Tasks("s");
        Assert.Equal(5, tasks.Count);
        Assert.All(tasks, t => Assert.Equal(SweepTaskState.Pending, t.State));
        Assert.Equal(["--lr", "3"], tasks[3].Args);
        Assert.Equal("/w", store.FindSweep("s")!.WorkingDirectory);
        Assert.Contains("runs 'train', not 'phase train'", Assert.Throws<ArgumentException>(() => store.RegisterSweep(Sweep(command: "phase train"), Drafts(1))).Message);
        var twice = Drafts(2);
        twice[1] = twice[1] with { Key = twice[0].Key };
        Assert.Contains("have the same key", Assert.Throws<ArgumentException>(() => store.RegisterSweep(Sweep("t"), twice)).Message);
    }

    [Fact]
    public void Concurrent_claimers_never_take_the_same_task()
    {
        using (var store = Open()) store.RegisterSweep(Sweep(), Drafts(120));
        var claimed = new System.Collections.Concurrent.ConcurrentBag<string>();
        var workers = Enumerable.Range(0, 4).Select(_ => new Thread(() =>
        {
            using var own = Open();   // one connection each, as separate processes have
            while (own.ClaimTask("s") is { } task) claimed.Add(task.Key);
        })).ToList();
        workers.ForEach(w => w.Start());
        workers.ForEach(w => w.Join());
        Assert.Equal(120, claimed.Count);
        Assert.Equal(120, claimed.Distinct().Count());
        using var check = Open();
        Assert.All(check.Tasks("s"), t => Assert.Equal((SweepTaskState.Running, 1, Environment.ProcessId), (t.State, t.Attempts, t.RunnerPid!.Value)));
    }

    [Fact]
    public void Completing_a_task_merges_its_runs_once()
    {
        // the task's own store: a run with metrics and a child forked from it
        long parent, child;
        using (var own = RunStore.OpenFile(temp.File("task/runs.db")))
        {
            parent = own.CreateRun(new RunRecord { Name = "p", Kind = "train", Config = new JsonObject { ["lr"] = 0.5 } });
            own.AppendMetrics(parent, Enumerable.Range(0, 100).Select(s => new MetricRow(s, s / 10.0, "loss", 1.0 / (s + 1))));
            own.Finish(parent, RunStatus.Finished, 2.5);
            child = own.CreateRun(new RunRecord { Name = "c", Kind = "train", ParentId = parent, ForkStep = 50 });
            own.AppendMetrics(child, [new MetricRow(50, null, "loss", 0.25, 0.01, 8)]);
        }
        List<(RunRecord, IReadOnlyList<MetricRow>)> runs;
        using (var own = RunStore.OpenFile(temp.File("task/runs.db"), readOnly: true))
            runs = own.ListRuns().Select(r => (r, own.Metrics(r.Id))).ToList();

        using var store = Open();
        store.CreateRun(new RunRecord { Name = "unrelated", Kind = "phase" });   // ids in the main store differ from the task's
        store.RegisterSweep(Sweep(), Drafts(1));
        Assert.NotNull(store.ClaimTask("s"));
        Assert.True(store.CompleteTask("s", "k0000", runs, 3.0));
        Assert.False(store.CompleteTask("s", "k0000", runs, 3.0));   // a second collect adds nothing

        var all = store.ListRuns();
        Assert.Equal(["unrelated", "p", "c"], all.Select(r => r.Name));
        var (p, c) = (all[1], all[2]);
        Assert.Equal((RunStatus.Finished, 2.5, 0.5), (p.Status, p.Seconds!.Value, p.Config["lr"]!.GetValue<double>()));
        Assert.Equal((p.Id, 50L), (c.ParentId!.Value, c.ForkStep!.Value));
        Assert.Equal(Enumerable.Range(0, 100).Select(s => 1.0 / (s + 1)), store.Metrics(p.Id, "loss").Select(m => m.Value));
        Assert.Equal(new MetricRow(50, null, "loss", 0.25, 0.01, 8), Assert.Single(store.Metrics(c.Id)));
        var task = Assert.Single(store.Tasks("s"));
        Assert.Equal((SweepTaskState.Done, c.Id, 3.0), (task.State, task.RunId!.Value, task.Seconds!.Value));
    }

    [Fact]
    public void A_failed_attempt_is_retried_until_the_limit_and_requeued_by_resume()
    {
        using var store = Open();
        store.RegisterSweep(Sweep(), Drafts(1));
        store.ClaimTask("s");
        Assert.Equal(SweepTaskState.Pending, store.FailTask("s", "k0000", "exit code 1: boom", retries: 1));
        Assert.Equal(2, store.ClaimTask("s")!.Attempts);
        Assert.Equal(SweepTaskState.Failed, store.FailTask("s", "k0000", "exit code 1: boom again", retries: 1));
        Assert.Null(store.ClaimTask("s"));
        var failed = Assert.Single(store.Tasks("s"));
        Assert.Equal((SweepTaskState.Failed, 2, "exit code 1: boom again"), (failed.State, failed.Attempts, failed.Error));
        Assert.Equal(1, store.RequeueTasks("s", ["k0000"]));
        Assert.Equal((SweepTaskState.Pending, 0), (store.Tasks("s")[0].State, store.Tasks("s")[0].Attempts));
    }

    [Fact]
    public void Tasks_of_a_dead_sweep_process_are_abandoned_and_cancel_leaves_done_tasks_alone()
    {
        using var store = Open();
        store.RegisterSweep(Sweep(), Drafts(4));
        var mine = store.ClaimTask("s")!;
        var theirs = store.ClaimTask("s")!;
        using var gone = Process.Start(new ProcessStartInfo("sh", ["-c", "exit 0"]))!;
        gone.WaitForExit();
        using (var raw = new SqliteConnection($"Data Source={temp.File("runs.db")};Pooling=False"))
        {
            raw.Open();
            using var command = raw.CreateCommand();
            command.CommandText = $"UPDATE tasks SET runner_pid = {gone.Id} WHERE key = '{theirs.Key}'";   // claimed by a process that has exited
            command.ExecuteNonQuery();
        }
        Assert.Equal([theirs.Key], store.AbandonedTasks("s").Select(t => t.Key));   // this process is alive: its task is not abandoned
        store.CompleteTask("s", mine.Key, [], 1);
        var cancelled = store.CancelTasks("s");
        Assert.Equal(3, cancelled.Count);
        Assert.Equal([SweepTaskState.Done, SweepTaskState.Cancelled, SweepTaskState.Cancelled, SweepTaskState.Cancelled], store.Tasks("s").Select(t => t.State));
    }

    [Fact]
    public void A_version_2_store_gains_the_sweep_tables_and_keeps_its_runs()
    {
        long id;
        using (var store = Open()) id = store.CreateRun(new RunRecord { Name = "old", Kind = "train" });
        using (var raw = new SqliteConnection($"Data Source={temp.File("runs.db")};Pooling=False"))
        {
            raw.Open();
            using var command = raw.CreateCommand();
            command.CommandText = "DROP TABLE tasks; DROP TABLE sweeps; PRAGMA user_version = 2";   // the schema as version 2 shipped it
            command.ExecuteNonQuery();
        }
        using var migrated = Open();
        Assert.Equal("old", migrated.GetRun(id).Name);
        Assert.Equal((1, 0), migrated.RegisterSweep(Sweep(), Drafts(1)));
    }
}
