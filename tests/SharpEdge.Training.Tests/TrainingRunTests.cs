using SharpEdge.Runs;
using SharpEdge.Tests;

namespace SharpEdge.Training.Tests;

public sealed class TrainingRunTests : IDisposable
{
    private readonly TempFolder temp = new();

    public void Dispose() => temp.Dispose();

    private static TrainingConfig Tiny(long steps, string update = "minibatch") => new()
    {
        Model = "mlp:784-16-10:tanh", NumData = 256, LearningRate = 0.05, BatchSize = 8, Steps = steps,
        Optimizer = update == "sde" ? "sgd" : "momentum", Momentum = update == "sde" ? 0 : 0.9,
        Measure = update == "subset" ? "lambda-max@7,gni@7,step-sharpness@1<3/9" : "lambda-max@7,step-sharpness@1<3/9", CheckpointEvery = 10, StopLoss = 1e-9,
        // a fresh 96-sample curvature subset at every measurement step, at the original's eigensolver tolerance
        CurvatureSubset = update == "subset" ? 96 : 0, EigenTolerance = update == "subset" ? 5e-3 : null,
        // noisy GD with diag noise whose variances are refreshed at multiples of 7: the checkpoint at 20 carries step 14's and the generator
        GdNoise = update == "noisy-gd" ? "diag" : null, NoiseRefresh = 7, Sde = update == "sde", SdeH = 0.025,
    };

    [Theory]
    [InlineData("minibatch")]
    [InlineData("noisy-gd")]
    [InlineData("sde")]
    [InlineData("subset")]
    public void A_run_resumed_after_a_crash_repeats_the_uninterrupted_run_bit_for_bit(string update)
    {
        using var store = RunStore.Open(temp.Path);
        var reference = TrainingRun.Start(store, temp.Path, Tiny(30, update));
        var crashed = TrainingRun.Start(store, temp.Path, Tiny(40, update));
        Assert.Equal(RunStatus.Finished, crashed.Run.Status);
        // as if the process died during step 19: checkpoints from step 20 on were never written and the run is interrupted;
        // its stored rows reach step 40, past the new end (30), and must not survive the resume
        foreach (var file in Directory.EnumerateFiles(Path.Combine(crashed.Folder, CheckpointFolder.FolderName)))
            if (long.Parse(Path.GetFileNameWithoutExtension(file).Split('_')[^1]) >= 20) File.Delete(file);
        store.UpdateStatus(crashed.RunId, RunStatus.Interrupted);

        var resumed = TrainingRun.Resume(store, crashed.RunId.ToString(), steps: 30);

        Assert.Equal(crashed.RunId, resumed.RunId);
        Assert.Equal(RunStatus.Finished, resumed.Run.Status);
        Assert.Equal(30, resumed.Run.Config["steps"]!.GetValue<long>());
        var expected = store.Metrics(reference.RunId);
        Assert.Equal(30, expected.Count(r => r.Name == "loss"));
        Assert.Equal([0, 7, 14, 21, 28, 30], expected.Where(r => r.Name == "lambda_max").Select(r => r.Step));
        Assert.Equal([0, 1, 2, 9, 18, 27, 30], expected.Where(r => r.Name == "step_sharpness").Select(r => r.Step));
        Assert.Equal(expected, store.Metrics(resumed.RunId));   // every value, standard error and sample count, bit for bit
        if (update == "subset")
        {
            Assert.Equal(96, resumed.Run.Config["curvature_subset"]!.GetValue<int>());
            Assert.Equal(5e-3, resumed.Run.Config["eig_tol"]!.GetValue<double>());
            Assert.Equal([0, 7, 14, 21, 28, 30], expected.Where(r => r.Name == "gni").Select(r => r.Step));
        }
        Assert.Equal(File.ReadAllBytes(Path.Combine(reference.Folder, "final.safetensors")), File.ReadAllBytes(Path.Combine(resumed.Folder, "final.safetensors")));
    }

    [Theory]
    [InlineData(0)]
    [InlineData(224)]
    public void Lambda_max_warm_starts_from_the_previous_solve(int subset)
    {
        using var store = RunStore.Open(temp.Path);
        long Products(long steps, string measure)
        {
            var config = Tiny(steps) with { Optimizer = "sgd", Momentum = 0, LearningRate = 0.005, Measure = measure, CurvatureSubset = subset };
            return TrainingRun.Start(store, temp.Path, config).Outcome.Time.Single(s => s.Name == "lambda-max").Products;
        }
        // the solve at step 40 (same θ and, with a subset, the same samples in every run: both depend on the step only),
        // warm-started from step 39's vector (of its own subset's Hessian), against the same solve started cold
        long warm = Products(40, "lambda-max@39") - Products(39, "lambda-max@39");
        long cold = Products(40, "lambda-max@end");
        Assert.True(warm < 0.75 * cold, $"warm-started solve {warm} products, cold {cold}");
    }

    [Fact]
    public void Cancelling_stops_at_the_next_step_with_a_checkpoint_that_resumes_bit_for_bit()
    {
        using var store = RunStore.Open(temp.Path);
        using var cancel = new CancellationTokenSource();
        var config = Tiny(10_000_000) with { Measure = "lambda-max@500", CheckpointEvery = 1_000_000 };
        var stopped = TrainingRun.Start(store, temp.Path, config, hooks: new TrainingHooks(Progress: _ => cancel.Cancel(), Cancel: cancel.Token));
        Assert.Equal(RunStatus.Interrupted, stopped.Run.Status);
        var at = stopped.Outcome.Steps;
        Assert.InRange(at, 1, 999_999);
        Assert.Contains("\"kind\": \"interrupt\"", File.ReadAllText(Path.Combine(stopped.Folder, CheckpointFolder.FolderName, $"checkpoint_step_{at}.json")));

        var resumed = TrainingRun.Resume(store, stopped.RunId.ToString(), at + 20);
        var reference = TrainingRun.Start(store, temp.Path, config with { Steps = at + 20 });
        Assert.Equal(RunStatus.Finished, resumed.Run.Status);
        Assert.Equal(store.Metrics(reference.RunId), store.Metrics(resumed.RunId));
        Assert.Equal(File.ReadAllBytes(Path.Combine(reference.Folder, "final.safetensors")), File.ReadAllBytes(Path.Combine(resumed.Folder, "final.safetensors")));
        // the interrupt checkpoint only bridged to the next one
        Assert.False(File.Exists(Path.Combine(stopped.Folder, CheckpointFolder.FolderName, $"checkpoint_step_{at}.json")));
    }

    [Fact]
    public void Resume_refuses_runs_it_cannot_continue()
    {
        using var store = RunStore.Open(temp.Path);
        var run = TrainingRun.Start(store, temp.Path, Tiny(12) with { Measure = "" });
        Assert.Contains("finished at step 12; pass --steps above 12", Assert.Throws<ArgumentException>(() => TrainingRun.Resume(store, run.RunId.ToString())).Message);
        Assert.Contains("before the last checkpoint", Assert.Throws<ArgumentException>(() => TrainingRun.Resume(store, run.RunId.ToString(), 5)).Message);
        store.Reopen(run.RunId);   // this (live) process owns it now
        Assert.Contains("is still running", Assert.Throws<InvalidOperationException>(() => TrainingRun.Resume(store, run.RunId.ToString(), 20)).Message);
        store.Finish(run.RunId, RunStatus.Diverged, 1, "loss nan at step 11");
        Assert.Contains("--fork", Assert.Throws<InvalidOperationException>(() => TrainingRun.Resume(store, run.RunId.ToString(), 20)).Message);
    }
}
