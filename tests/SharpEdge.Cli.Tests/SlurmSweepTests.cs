using System.Diagnostics;
using System.Text.Json;
using SharpEdge.Runs;
using SharpEdge.Sweeps.Slurm;

namespace SharpEdge.Cli.Tests;

/// <summary>
/// Sweeps through a real Slurm: the single-node cluster that <c>.ci/slurm-up</c> starts (CI does so when it runs as
/// root). Skipped, with a message, where there is no Slurm.
/// </summary>
public class SlurmSweepTests
{
    private static void RequireSlurm()
    {
        Skip.If(ProgramPath.Find("sbatch") is null, "no sbatch on PATH: run .ci/slurm-up (as root) to start a single-node Slurm");
        var (code, output) = Tool("sinfo", "-h", "-o", "%T");
        Skip.If(code != 0 || !output.Split('\n').Any(s => s.Trim() is "idle" or "mixed" or "allocated"),
            $"Slurm is installed but no node is up (sinfo: {output.Trim()}); run .ci/slurm-up");
    }

    private static (int Code, string Output) Tool(string tool, params string[] args)
    {
        var start = new ProcessStartInfo(tool) { RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var a in args) start.ArgumentList.Add(a);
        using var p = Process.Start(start)!;
        var output = p.StandardOutput.ReadToEndAsync();
        var error = p.StandardError.ReadToEndAsync();
        p.WaitForExit(60_000);
        return (p.ExitCode, output.Result + error.Result);
    }

    [SkippableFact]
    public void Phase_and_train_sweeps_run_as_job_arrays_and_every_task_arrives_once()
    {
        RequireSlurm();
        var f = new SweepFixture();
        var phase = f.Spec("{name: phase, command: phase train, args: {epochs: 20, seeds: 2, batches: 20, out: cells}, grid: {lr: [1, 2], eps: [0.5, 1]}}", "phase.yaml");
        var r = f.Run("sweep", "run", phase, "--backend", "slurm", "--max-array-size", "3", "--poll", "1", "--json");   // 4 tasks: arrays of 3 and 1
        Assert.True(r.ExitCode == 0, r.Stderr);
        using (var doc = JsonDocument.Parse(r.Stdout))
        {
            Assert.Equal(2, doc.RootElement.GetProperty("jobs").GetArrayLength());
            Assert.Equal(4, doc.RootElement.GetProperty("counts").GetProperty("done").GetInt32());
        }
        var train = f.Spec(
            "{name: eoss, command: train, args: {model: 'mlp:784-16-10:tanh', num-data: 128, steps: 20, measure: lambda-max, measure-every: 10}, grid: {lr: [0.05, 0.1]}}",
            "train.yaml");
        r = f.Run("sweep", "run", train, "--backend", "slurm", "--poll", "1");
        Assert.True(r.ExitCode == 0, r.Stderr);

        using var store = RunStore.Open(f.Results, readOnly: true);
        Assert.Equal(6, store.ListRuns().Count);
        foreach (var (sweep, kind) in new[] { ("phase", "phase"), ("eoss", "train") })
        {
            var tasks = store.Tasks(sweep);
            Assert.All(tasks, t => Assert.Equal((SweepTaskState.Done, 1), (t.State, t.Attempts)));
            Assert.Equal(tasks.Count, tasks.Select(t => t.Job).Distinct().Count());   // one array element each
            Assert.All(tasks, t => Assert.Equal(kind, store.GetRun(t.RunId!.Value).Kind));
            Assert.Equal(tasks.Count, tasks.Select(t => t.RunId).Distinct().Count());
        }
        foreach (var task in store.Tasks("eoss"))
        {
            Assert.Equal(20, store.Metrics(task.RunId!.Value, "loss").Count);   // every step once
            Assert.Equal([0L, 10, 20], store.Metrics(task.RunId!.Value, "lambda_max").Select(m => m.Step));
        }
        // collecting again adds nothing
        Assert.Equal(0, f.Run("sweep", "collect", "phase").ExitCode);
        using var again = RunStore.Open(f.Results, readOnly: true);
        Assert.Equal(6, again.ListRuns().Count);
    }

    [SkippableFact]
    public void A_cancelled_array_element_is_resubmitted_by_resume_and_done_once()
    {
        RequireSlurm();
        var f = new SweepFixture();
        var spec = f.Spec("{name: cancel, command: phase train, args: {epochs: 2000, seeds: 2, out: cells}, zip: [{lr: [1, 2, 4], batches: [20, 20, 3000]}], retries: 0}");
        var r = f.Run("sweep", "run", spec, "--backend", "slurm", "--no-wait");
        Assert.True(r.ExitCode == 0, r.Stderr);
        var slow = f.Tasks("cancel").Single(t => t.Label == "lr=4 batches=3000");
        Assert.Equal(SweepTaskState.Running, slow.State);
        var (code, output) = Tool("scancel", slow.Job!);
        Assert.True(code == 0, output);
        var clock = Stopwatch.StartNew();
        while (f.Tasks("cancel").Any(t => t.State == SweepTaskState.Running) && clock.Elapsed < TimeSpan.FromSeconds(180))
        {
            Thread.Sleep(1000);
            Assert.Equal(0, f.Run("sweep", "collect", "cancel").ExitCode);
        }
        var tasks = f.Tasks("cancel");
        Assert.Equal(SweepTaskState.Failed, tasks.Single(t => t.Key == slow.Key).State);
        Assert.Equal(2, tasks.Count(t => t.State == SweepTaskState.Done));

        r = f.Run("sweep", "resume", "cancel", "--poll", "1");
        Assert.True(r.ExitCode == 0, r.Stderr);
        tasks = f.Tasks("cancel");
        Assert.All(tasks, t => Assert.Equal(SweepTaskState.Done, t.State));
        Assert.NotEqual(slow.Job, tasks.Single(t => t.Key == slow.Key).Job);   // a new array element
        using var store = RunStore.Open(f.Results, readOnly: true);
        var runs = store.ListRuns();
        Assert.Equal(3, runs.Count);
        Assert.Equal([1.0, 2.0, 4.0], runs.Select(x => x.Config["lr"]!.GetValue<double>()).Order());
    }

    // A resource the cluster does not have (this single-node Slurm has no GPUs): sbatch's own error, naming it, and the
    // task stays pending. Resumed without --gres (the command line's settings are not stored), the same task runs.
    [SkippableFact]
    public void A_resource_the_cluster_lacks_is_sbatch_error_and_the_task_stays_pending()
    {
        RequireSlurm();
        var f = new SweepFixture();
        var spec = f.Spec("{name: gpu, command: phase train, args: {epochs: 20, seeds: 2, batches: 20, out: cells}, grid: {lr: [1]}}");
        var r = f.Run("sweep", "run", spec, "--backend", "slurm", "--gres", "gpu:1", "--poll", "1");
        Assert.NotEqual(0, r.ExitCode);
        Assert.Contains("sbatch", r.Stderr);
        Assert.Contains("gres", r.Stderr);
        Assert.Equal(SweepTaskState.Pending, f.Tasks("gpu").Single().State);
        var script = File.ReadAllLines(Directory.GetFiles(Path.Combine(f.Results, "sweeps", "gpu", "slurm"), "*.sh").Single());
        Assert.Contains("#SBATCH --gres=gpu:1", script);

        r = f.Run("sweep", "resume", "gpu", "--backend", "slurm", "--poll", "1");
        Assert.True(r.ExitCode == 0, r.Stderr);
        Assert.Equal(SweepTaskState.Done, f.Tasks("gpu").Single().State);
    }
}
