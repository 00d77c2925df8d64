using System.Text.Json;
using SharpEdge.Numerics.Io;
using SharpEdge.Runs;

namespace SharpEdge.Cli.Tests;

public class SweepCommandTests
{
    private const string PhaseGrid =
        """
        name: grid
        command: phase train
        args: {epochs: 20, seeds: 2, batches: 20, out: cells}
        grid:
          lr: [1, 2]
          eps: {log: [0.5, 1], factor: 2}
        """;

    [Fact]
    public void A_phase_sweep_runs_every_task_once_and_nothing_the_second_time()
    {
        var f = new SweepFixture();
        var spec = f.Spec(PhaseGrid);
        var first = f.Run("sweep", "run", spec, "--json");
        Assert.True(first.ExitCode == 0, first.Stderr);
        using (var doc = JsonDocument.Parse(first.Stdout))
        {
            Assert.Equal(4, doc.RootElement.GetProperty("added").GetInt32());
            Assert.Equal(4, doc.RootElement.GetProperty("counts").GetProperty("done").GetInt32());
        }
        var second = f.Run("sweep", "run", spec, "--json");
        Assert.True(second.ExitCode == 0, second.Stderr);
        using (var doc = JsonDocument.Parse(second.Stdout)) Assert.Equal(0, doc.RootElement.GetProperty("added").GetInt32());

        using var store = RunStore.Open(f.Results, readOnly: true);
        var runs = store.ListRuns();
        Assert.Equal(4, runs.Count);
        var tasks = store.Tasks("grid");
        Assert.All(tasks, t => Assert.Equal((SweepTaskState.Done, 1), (t.State, t.Attempts)));
        Assert.Equal(runs.Select(r => r.Id).Order(), tasks.Select(t => t.RunId!.Value).Order());
        foreach (var task in tasks)   // each task's run is the cell its flags asked for, in the folder relative paths were taken from
        {
            var run = store.GetRun(task.RunId!.Value);
            var axes = JsonDocument.Parse(task.Axes).RootElement;
            Assert.Equal(double.Parse(axes.GetProperty("lr").GetString()!), run.Config["lr"]!.GetValue<double>());
            Assert.Equal(double.Parse(axes.GetProperty("eps").GetString()!), run.Config["eps"]!.GetValue<double>());
            Assert.StartsWith(Path.Combine(f.Dir, "cells"), run.Folder);
        }

        // the heatmap's cells against the final losses read back from each cell's data.npz
        var plot = f.Run("sweep", "plot", "grid", "--x", "lr", "--y", "eps", "--value", "final_loss", "--json");
        Assert.True(plot.ExitCode == 0, plot.Stderr);
        using var figure = JsonDocument.Parse(plot.Stdout);
        Assert.True(File.Exists(figure.RootElement.GetProperty("figure").GetString()));
        Assert.Equal([1.0, 2.0], figure.RootElement.GetProperty("x").EnumerateArray().Select(v => v.GetDouble()));
        Assert.Equal([0.5, 1.0], figure.RootElement.GetProperty("y").EnumerateArray().Select(v => v.GetDouble()));
        var median = figure.RootElement.GetProperty("median");
        foreach (var run in runs)
        {
            var loss = Npz.Read(Path.Combine(run.Folder!, "data.npz"))["loss"];
            var values = loss.AsFloat64();
            int slots = loss.Shape[1];
            double expected = (values[slots - 1] + values[2 * slots - 1]) / 2;
            int i = run.Config["lr"]!.GetValue<double>() == 1 ? 0 : 1, j = run.Config["eps"]!.GetValue<double>() == 0.5 ? 0 : 1;
            Assert.Equal(expected, median[j][i].GetDouble(), 12);
        }
    }

    [Theory]
    [InlineData("{name: b, command: phase train, args: {out: o, colour: red}, grid: {lr: [1, 2]}}", "local", "`phase train` refuses its flags: Unrecognized command or argument '--colour'")]
    [InlineData("{name: b, command: phase train, args: {out: o}, grid: {lr: [1, two]}}", "local", "task #1 (lr=two)")]
    [InlineData("{name: b, command: phase train, args: {out: o}, grid: {lr: []}}", "local", "line 1: grid.lr: empty axis")]
    [InlineData("{name: b, command: phase train, args: {out: o}, grid: {lr: [1, 2, 1.0]}}", "local", "#0 (lr=1) and #2 (lr=1) are the same task")]
    [InlineData("{name: b, command: phase train, grid: {lr: [1]}}", "local", "--out")]
    [InlineData("{name: b, command: phase train, args: {out: o}, grid: {lr: [1]}}", "slurm", "needs Slurm's 'sbatch' on PATH")]
    [InlineData("{name: b, command: phase train, args: {out: o}, grid: {lr: [1]}}", "slurm --gpus 0,1", "on Slurm each array element asks for its own with --gres gpu:1")]
    [InlineData("{name: b, command: phase train, args: {out: o}, grid: {lr: [1]}}", "local --gpus 0,,1", "--gpus takes comma-separated GPU ids")]
    public void Bad_input_is_one_error_before_anything_runs(string yaml, string backend, string message)
    {
        var f = new SweepFixture();
        var env = f.Environment;
        env["PATH"] = "/nonexistent";   // no sbatch (dotnet itself is found through this process's PATH)
        var r = CliRunner.RunWithEnvironment(env, ["sweep", "run", f.Spec(yaml), "--backend", .. backend.Split(' ')]);
        Assert.NotEqual(0, r.ExitCode);
        var line = Assert.Single(r.Stderr.Split('\n', StringSplitOptions.RemoveEmptyEntries));
        Assert.StartsWith("sharpedge: error: ", line);
        Assert.Contains(message, line);
        Assert.False(Directory.Exists(f.Results));   // nothing registered, nothing run
    }

    [Fact]
    public void A_killed_worker_and_a_killed_sweep_process_are_resumed_and_every_task_is_done_once()
    {
        var f = new SweepFixture();
        // lr=4 runs a few seconds (2 models × 2000 epochs × 3000 steps); the others are instant
        var spec = f.Spec(
            """
            name: faults
            command: phase train
            args: {epochs: 2000, seeds: 2, out: cells}
            zip:
              - {lr: [1, 2, 4], batches: [20, 20, 3000]}
            retries: 0
            """);
        const string slow = "lr=4 batches=3000";

        // kill -9 of the worker process running a task: that task fails, the others finish
        var runner = f.Start("sweep", "run", spec, "--workers", "1");
        var task = f.WaitUntilRunning("faults", slow, runner);
        System.Diagnostics.Process.GetProcessById(task.Pid!.Value).Kill();
        Assert.True(runner.WaitForExit(120_000));
        Assert.Equal(1, runner.ExitCode);
        var killed = f.Tasks("faults").Single(t => t.Label == slow);
        Assert.Equal(SweepTaskState.Failed, killed.State);
        Assert.StartsWith("killed by signal 9", killed.Error);
        Assert.Equal(2, f.Tasks("faults").Count(t => t.State == SweepTaskState.Done));

        // kill -9 of the sweep process itself: its task stops on its own and stays 'running' until resumed
        var resumer = f.Start("sweep", "resume", "faults", "--workers", "1");
        task = f.WaitUntilRunning("faults", slow, resumer);
        resumer.Kill();
        Assert.True(SweepFixture.Exited(task.Pid!.Value, TimeSpan.FromSeconds(20)), "the orphaned task kept running");
        // it stopped itself rather than finishing: its cell was never written
        Assert.DoesNotContain(Directory.GetFiles(Path.Combine(f.Dir, "cells"), "data.npz", SearchOption.AllDirectories), p => p.Contains("_lr4_"));
        Assert.Equal(SweepTaskState.Running, f.Tasks("faults").Single(t => t.Label == slow).State);
        var orphan = f.Status("faults").GetProperty("tasks").EnumerateArray().Single(t => t.GetProperty("label").GetString() == slow);
        Assert.True(orphan.GetProperty("abandoned").GetBoolean());

        var resumed = f.Run("sweep", "resume", "faults");
        Assert.True(resumed.ExitCode == 0, resumed.Stderr);
        var tasks = f.Tasks("faults");
        Assert.All(tasks, t => Assert.Equal(SweepTaskState.Done, t.State));
        using var store = RunStore.Open(f.Results, readOnly: true);
        var runs = store.ListRuns();
        Assert.Equal(3, runs.Count);   // the killed attempts left nothing in the main store
        Assert.All(runs, r => Assert.Equal(RunStatus.Finished, r.Status));
        Assert.Equal(runs.Select(r => r.Id).Order(), tasks.Select(t => t.RunId!.Value).Order());
        Assert.Equal([1.0, 2.0, 4.0], runs.Select(r => r.Config["lr"]!.GetValue<double>()).Order());
        Assert.All(runs, r => Assert.Equal(2, store.Metrics(r.Id, "models").Single().Value));
    }

    [Fact]
    public void A_task_that_throws_fails_with_its_error_and_resume_runs_it_once_the_cause_is_gone()
    {
        var f = new SweepFixture();
        File.WriteAllText(Path.Combine(f.Dir, "blocker"), "a file where the task wants a folder");
        var spec = f.Spec("{name: throws, command: phase train, args: {epochs: 20, seeds: 1, batches: 20}, zip: [{lr: [1, 2], out: [cells, blocker/cells]}]}");
        var r = f.Run("sweep", "run", spec);
        Assert.Equal(1, r.ExitCode);
        Assert.Contains("sharpedge: error: sweep throws: 1 task(s) failed", r.Stderr);
        var failed = f.Tasks("throws").Single(t => t.State == SweepTaskState.Failed);
        Assert.Equal(2, failed.Attempts);   // retried once (the default) before giving up
        Assert.StartsWith("exit code 1: sharpedge: error: ", failed.Error);
        Assert.Contains("blocker", failed.Error);

        File.Delete(Path.Combine(f.Dir, "blocker"));
        var resumed = f.Run("sweep", "resume", "throws", "--json");
        Assert.True(resumed.ExitCode == 0, resumed.Stderr);
        using var doc = JsonDocument.Parse(resumed.Stdout);
        Assert.Equal(2, doc.RootElement.GetProperty("counts").GetProperty("done").GetInt32());
        using var store = RunStore.Open(f.Results, readOnly: true);
        Assert.Equal(2, store.ListRuns().Count);
    }

    [Fact]
    public void A_train_sweep_is_drawn_as_the_plateau_of_a_metric()
    {
        var f = new SweepFixture();
        var spec = f.Spec(
            """
            name: eoss
            command: train
            args: {model: "mlp:784-16-10:tanh", num-data: 128, steps: 30, measure: lambda-max, measure-every: 5}
            grid:
              batch: [8, 16]
              lr: {log: [0.02, 0.04], num: 2}
            """);
        var r = f.Run("sweep", "run", spec);
        Assert.True(r.ExitCode == 0, r.Stderr);
        var plot = f.Run("sweep", "plot", "eoss", "--x", "lr", "--y", "batch", "--value", "lambda-max", "--out", Path.Combine(f.Dir, "l.svg"), "--json");
        Assert.True(plot.ExitCode == 0, plot.Stderr);
        Assert.Contains("<svg", File.ReadAllText(Path.Combine(f.Dir, "l.svg")));
        using var doc = JsonDocument.Parse(plot.Stdout);
        using var store = RunStore.Open(f.Results, readOnly: true);
        foreach (var run in store.ListRuns())
        {
            var values = store.Metrics(run.Id, "lambda_max").Select(m => m.Value).ToList();   // steps 0, 5, …, 30: 7 values, the last third is 3
            Assert.Equal(7, values.Count);
            int i = run.Config["lr"]!.GetValue<double>() == 0.02 ? 0 : 1, j = run.Config["batch"]!.GetValue<int>() == 8 ? 0 : 1;
            Assert.Equal(values.TakeLast(3).Average(), doc.RootElement.GetProperty("median")[j][i].GetDouble(), 12);
        }

        // lines against lr, the two batch sizes pooled: mean and standard error of their two plateaus, 2/η from each run's lr
        var lines = f.Run("sweep", "plot", "eoss", "--x", "lr", "--value", "lambda_max", "--json");
        Assert.True(lines.ExitCode == 0, lines.Stderr);
        using var linesDoc = JsonDocument.Parse(lines.Stdout);
        Assert.True(File.Exists(linesDoc.RootElement.GetProperty("figure").GetString()));
        var points = linesDoc.RootElement.GetProperty("points").EnumerateArray().ToList();
        Assert.Equal([0.02, 0.04], points.Select(p => p.GetProperty("x").GetDouble()));
        foreach (var point in points)
        {
            double lr = point.GetProperty("x").GetDouble();
            var plateaus = store.ListRuns().Where(run => run.Config["lr"]!.GetValue<double>() == lr)
                .Select(run => store.Metrics(run.Id, "lambda_max").Select(m => m.Value).TakeLast(3).Average()).ToArray();
            Assert.Equal(2, plateaus.Length);
            Assert.Equal(plateaus.Average(), point.GetProperty("mean").GetDouble(), 12);
            Assert.Equal(Math.Abs(plateaus[0] - plateaus[1]) / 2, point.GetProperty("se").GetDouble(), 12);   // s.d. |a − b|/√2 over √2
            Assert.Equal(2 / lr, point.GetProperty("threshold").GetDouble(), 12);
        }
    }
}

public class PhaseSweepFrontEndTests
{
    [Fact]
    public void Phase_sweep_trains_its_cells_as_tasks_of_a_sweep_in_worker_processes()
    {
        var f = new SweepFixture();
        var r = f.Run("phase", "sweep", "--lrs", "1,2", "--epss", "1", "--seeds", "1", "--epochs", "20", "--batches", "20", "--workers", "2",
            "--out", Path.Combine(f.Dir, "out"), "--json");
        Assert.True(r.ExitCode == 0, r.Stderr);
        Assert.Contains("2 worker process(es) × 1 thread(s)", r.Stderr);
        using var store = RunStore.Open(f.Results, readOnly: true);
        var sweep = Assert.Single(store.ListSweeps());
        Assert.StartsWith("phase-sweep-", sweep.Name);
        Assert.Equal("phase train", sweep.Command);
        var tasks = store.Tasks(sweep.Name);
        Assert.Equal(["lr=1 eps=1", "lr=2 eps=1"], tasks.Select(t => t.Label));
        Assert.All(tasks, t => Assert.Equal(SweepTaskState.Done, t.State));
        Assert.Equal(store.ListRuns().Select(x => x.Id).Order(), tasks.Select(t => t.RunId!.Value).Order());
        using var doc = JsonDocument.Parse(r.Stdout);
        Assert.Equal([1.0, 2.0], doc.RootElement.GetProperty("cells").EnumerateArray().Select(c => c.GetProperty("lr").GetDouble()));
        Assert.All(doc.RootElement.GetProperty("cells").EnumerateArray(), c => Assert.True(File.Exists(c.GetProperty("path").GetString())));
    }
}
