using System.Text.Json;
using SharpEdge.Runs;

namespace SharpEdge.Cli.Tests;

public class TrainCommandTests
{
    [Fact]
    public void Train_runs_exactly_the_asked_steps_and_records_measurements_and_results_txt()
    {
        var dir = CliRunner.TempDirectory();
        var env = new Dictionary<string, string> { ["SHARPEDGE_RESULTS"] = Path.Combine(dir, "results") };
        var r = CliRunner.RunWithEnvironment(env, "train", "--model", "mlp:784-32-10:tanh", "--num-data", "256", "--lr", "0.05", "--batch", "8",
            "--steps", "45", "--measure", "lambda-max,batch-sharpness", "--measure-every", "20", "--name", "tiny", "--json");
        Assert.True(r.ExitCode == 0, r.Stderr);
        using var doc = JsonDocument.Parse(r.Stdout);
        Assert.Equal("finished", doc.RootElement.GetProperty("status").GetString());
        Assert.Equal(45, doc.RootElement.GetProperty("steps").GetInt32());   // not overshot to the end of the epoch (32 steps each)

        using var store = RunStore.Open(Path.Combine(dir, "results"), readOnly: true);
        var run = Assert.Single(store.ListRuns());
        Assert.Equal("tiny", run.Name);
        Assert.Equal(45, store.Metrics(run.Id, "loss").Count);
        Assert.Equal(new long[] { 0, 20, 40, 45 }, store.Metrics(run.Id, "lambda_max").Select(m => m.Step));
        var sharpness = store.Metrics(run.Id, "batch_sharpness");
        Assert.All(sharpness, m => Assert.True(m.Se > 0 && m.Samples > 1));
        var results = File.ReadAllLines(Path.Combine(run.Folder!, "results.txt"));
        Assert.StartsWith("# Edge of Stochastic Stability", results[0]);
        Assert.Equal(4 + 45 + 1, results.Length);   // 4 header lines, one line per step 0…45
        Assert.True(File.Exists(Path.Combine(run.Folder!, "final.safetensors")));
    }

    // --device cuda with a curvature subset: refused before training (the GPU engine holds all samples); the wiring and
    // the engine's values are tested in SharpEdge.Training.Tests and SharpEdge.Gpu.Tests.
    [Fact]
    public void Device_cuda_refuses_a_curvature_subset()
    {
        var dir = CliRunner.TempDirectory();
        var refused = CliRunner.RunWithEnvironment(new() { ["SHARPEDGE_RESULTS"] = Path.Combine(dir, "results"), ["SHARPEDGE_CUDA_EMULATION"] = "1" },
            "train", "--model", "mlp:784-8-10:tanh", "--num-data", "64", "--lr", "0.05", "--batch", "8", "--steps", "2", "--measure", "lambda-max",
            "--curvature-subset", "32", "--device", "cuda");
        Assert.NotEqual(0, refused.ExitCode);
        Assert.Contains("--curvature-subset", refused.Stderr);
    }

    [Fact]
    public void A_curvature_subset_and_eigensolver_tolerance_are_recorded_and_the_time_is_reported()
    {
        var dir = CliRunner.TempDirectory();
        var env = new Dictionary<string, string> { ["SHARPEDGE_RESULTS"] = Path.Combine(dir, "results") };
        var r = CliRunner.RunWithEnvironment(env, "train", "--model", "mlp:784-16-10:tanh", "--num-data", "128", "--lr", "0.05", "--batch", "8",
            "--steps", "10", "--measure", "lambda-max@5,batch-sharpness@5", "--curvature-subset", "48", "--eig-tol", "1e-3", "--json");
        Assert.True(r.ExitCode == 0, r.Stderr);
        Assert.Contains("fresh 48-sample subset", r.Stderr);
        Assert.Contains("train: time: steps", r.Stderr);
        using var doc = JsonDocument.Parse(r.Stdout);
        var time = doc.RootElement.GetProperty("time").EnumerateArray().ToDictionary(t => t.GetProperty("name").GetString()!);
        Assert.Equal(10, time["steps"].GetProperty("calls").GetInt32());
        Assert.Equal(3, time["lambda-max"].GetProperty("calls").GetInt32());   // steps 0, 5 and 10
        Assert.True(time["lambda-max"].GetProperty("products").GetInt64() > 0);
        Assert.Equal(3, time["batch-sharpness"].GetProperty("calls").GetInt32());
        using var store = RunStore.Open(Path.Combine(dir, "results"), readOnly: true);
        var run = Assert.Single(store.ListRuns());
        Assert.Equal(48, run.Config["curvature_subset"]!.GetValue<int>());
        Assert.Equal(1e-3, run.Config["eig_tol"]!.GetValue<double>());
    }

    [Fact]
    public void A_diverging_run_is_stored_as_diverged_with_its_metrics()
    {
        var dir = CliRunner.TempDirectory();
        var env = new Dictionary<string, string> { ["SHARPEDGE_RESULTS"] = Path.Combine(dir, "results") };
        var r = CliRunner.RunWithEnvironment(env, "train", "--model", "mlp:784-32-10:relu", "--num-data", "256", "--lr", "1e4", "--batch", "8",
            "--steps", "200", "--init-scale", "1", "--json");
        Assert.True(r.ExitCode == 0, r.Stderr);
        using var doc = JsonDocument.Parse(r.Stdout);
        Assert.Equal("diverged", doc.RootElement.GetProperty("status").GetString());
        using var store = RunStore.Open(Path.Combine(dir, "results"), readOnly: true);
        var run = Assert.Single(store.ListRuns());
        Assert.Equal(RunStatus.Diverged, run.Status);
        Assert.NotEmpty(store.Metrics(run.Id, "loss"));
    }

    [Fact]
    public void Noisy_gd_with_test_metrics_records_them_and_names_the_noise_in_results_txt()
    {
        var dir = CliRunner.TempDirectory();
        var env = new Dictionary<string, string> { ["SHARPEDGE_RESULTS"] = Path.Combine(dir, "results") };
        var r = CliRunner.RunWithEnvironment(env, "train", "--model", "mlp:784-16-10:tanh", "--num-data", "128", "--lr", "0.05", "--batch", "8",
            "--steps", "6", "--gd-noise", "iso", "--noise-mag", "0.5", "--test-every", "4", "--full-loss-every", "head", "--json");
        Assert.True(r.ExitCode == 0, r.Stderr);
        using var store = RunStore.Open(Path.Combine(dir, "results"), readOnly: true);
        var run = Assert.Single(store.ListRuns());
        Assert.Equal("iso", run.Config["gd_noise"]!.GetValue<string>());
        Assert.Equal(new long[] { 0, 4, 6 }, store.Metrics(run.Id, "test_accuracy").Select(m => m.Step));
        Assert.Equal(new long[] { 0, 6 }, store.Metrics(run.Id, "full_loss").Select(m => m.Step));
        Assert.All(store.Metrics(run.Id, "test_accuracy"), m => Assert.InRange(m.Value, 0, 1));
        var results = File.ReadAllLines(Path.Combine(run.Folder!, "results.txt"));
        Assert.Contains("gd_noise iso", results[1]);
    }

    [Theory]
    [InlineData("--sde --optimizer adam", "--sde integrates θ directly")]
    [InlineData("--sde --sde-h 1", "--sde-h 1 exceeds the time per step η = 0.1")]
    [InlineData("--sde --gd-noise sgd", "--sde and --gd-noise exclude each other")]
    [InlineData("--gd-noise iso --noise-mag -1", "--noise-mag must be finite and ≥ 0")]
    [InlineData("--test-every head", "--test-every head: there is no HEAD rule")]
    [InlineData("--proj-switch-step 5", "--proj-switch-step needs --proj-top-l l ≥ 1")]
    [InlineData("--proj-top-l 3", "--proj-top-l needs --proj-switch-step")]
    [InlineData("--proj-switch-step 5 --proj-top-l 2 --optimizer adam", "projected SGD is plain SGD only")]
    [InlineData("--quad-switch-step 5 --optimizer momentum", "--optimizer must be sgd without --momentum, got momentum")]
    [InlineData("--quad-switch-step 5 --proj-switch-step 5 --proj-top-l 2", "--quad-switch-step and --proj-switch-step exclude each other")]
    [InlineData("--quad-switch-step 5 --gd-noise sgd", "--gd-noise and --quad-switch-step exclude each other")]
    [InlineData("--quad-switch-step soon", "--quad-switch-step takes a step ≥ 0 or none, got 'soon'")]
    [InlineData("--quad-switch-lr 0.1", "--quad-switch-lr needs --quad-switch-step")]
    [InlineData("--trajectory-every 0", "--trajectory-every 0: '0' is neither a step count nor 'head'")]
    [InlineData("--curvature-subset -5", "--curvature-subset must be ≥ 0 (0 = all samples), got -5")]
    [InlineData("--curvature-subset 4", "--curvature-subset 4 is smaller than the batch 8")]
    [InlineData("--num-data 64 --curvature-subset 100", "--curvature-subset 100 exceeds the 64 training samples")]
    [InlineData("--eig-tol 0", "--eig-tol must be in (0, 1), got 0")]
    public void Bad_noise_and_evaluation_settings_are_one_clear_error(string options, string message)
    {
        var dir = CliRunner.TempDirectory();
        var env = new Dictionary<string, string> { ["SHARPEDGE_RESULTS"] = Path.Combine(dir, "results") };
        var r = CliRunner.RunWithEnvironment(env, ["train", "--lr", "0.1", "--steps", "5", .. options.Split(' ')]);
        Assert.NotEqual(0, r.ExitCode);
        var line = Assert.Single(r.Stderr.Split((char)10, StringSplitOptions.RemoveEmptyEntries), l => l.StartsWith("sharpedge:"));
        Assert.Contains(message, line);
    }

    [Theory]
    [InlineData("--lr", "0", "--lr must be positive")]
    [InlineData("--dataset", "imagenet9000", "imagenet9000")]
    [InlineData("--measure", "lambda_maximum", "lambda_maximum")]
    [InlineData("--measure", "lambda-max@0", "lambda-max@0: '0' is neither a step count nor 'head'")]
    public void Bad_settings_are_one_clear_error(string option, string value, string message)
    {
        var dir = CliRunner.TempDirectory();
        var env = new Dictionary<string, string> { ["SHARPEDGE_RESULTS"] = Path.Combine(dir, "results") };
        string[] args = option == "--lr" ? ["train", "--steps", "5", option, value] : ["train", "--lr", "0.1", "--steps", "5", option, value];
        var r = CliRunner.RunWithEnvironment(env, args);
        Assert.NotEqual(0, r.ExitCode);
        var line = Assert.Single(r.Stderr.Split((char)10, StringSplitOptions.RemoveEmptyEntries), l => l.StartsWith("sharpedge:"));
        Assert.Contains(message, line);
    }

    [Fact]
    public void Quadratic_dynamics_projected_sgd_trajectory_and_final_end_to_end_and_a_fork_back_to_the_true_loss()
    {
        var dir = CliRunner.TempDirectory();
        var env = new Dictionary<string, string> { ["SHARPEDGE_RESULTS"] = Path.Combine(dir, "results") };
        string[] common = ["train", "--model", "mlp:784-4-10:tanh", "--num-data", "64", "--lr", "0.05", "--batch", "8", "--checkpoint-every", "5"];
        var quadratic = CliRunner.RunWithEnvironment(env, [.. common, "--steps", "10", "--quad-switch-step", "5", "--quad-switch-lr", "0.04", "--quad-loss-every", "2",
            "--save-trajectory", "--trajectory-every", "5", "--final", "--name", "quad"]);
        Assert.True(quadratic.ExitCode == 0, quadratic.Stderr);
        var projected = CliRunner.RunWithEnvironment(env, [.. common, "--steps", "6", "--proj-switch-step", "3", "--proj-top-l", "2", "--proj-to-residual", "--name", "proj"]);
        Assert.True(projected.ExitCode == 0, projected.Stderr);
        var fork = CliRunner.RunWithEnvironment(env, ["train", "--fork", "quad", "--at-step", "5", "--quad-switch-step", "none", "--steps", "8", "--json"]);
        Assert.True(fork.ExitCode == 0, fork.Stderr);

        using var store = RunStore.Open(Path.Combine(dir, "results"), readOnly: true);
        var runs = store.ListRuns().ToDictionary(r => r.Name);
        var quad = runs["quad"];
        Assert.Equal(5, quad.Config["quad_switch_step"]!.GetValue<long>());
        Assert.Equal(new long[] { 6, 8, 10 }, store.Metrics(quad.Id, "quadratic_loss").Select(m => m.Step));
        Assert.Equal(new long[] { 0, 5, 10 }, store.Metrics(quad.Id, "trajectory_proj_norm").Select(m => m.Step));
        Assert.True(File.Exists(Path.Combine(quad.Folder!, "trajectory", "step_10.npy")));
        using (var final = JsonDocument.Parse(File.ReadAllText(Path.Combine(quad.Folder!, "final.json"))))
        {
            Assert.Equal(10, final.RootElement.GetProperty("step").GetInt32());
            Assert.Equal(store.Metrics(quad.Id, "lambda_max").Single().Value, final.RootElement.GetProperty("lambda_max").GetDouble());
        }
        var proj = runs["proj"];
        Assert.True(proj.Config["proj_to_residual"]!.GetValue<bool>());
        Assert.Equal(new long[] { 3, 4, 5 }, store.Metrics(proj.Id, "proj_grad_ratio").Select(m => m.Step));
        Assert.All(store.Metrics(proj.Id, "proj_grad_ratio"), m => Assert.InRange(m.Value, 0, 1));
        using var forked = JsonDocument.Parse(fork.Stdout);
        var child = store.GetRun(forked.RootElement.GetProperty("run").GetInt64());
        Assert.Null(child.Config["quad_switch_step"]);
        Assert.Null(child.Config["quad_switch_lr"]);   // none drops the settings only the mode uses
        Assert.Empty(store.Metrics(child.Id, "quadratic_loss"));
        Assert.Equal(quad.Id, child.ParentId);
    }
}
