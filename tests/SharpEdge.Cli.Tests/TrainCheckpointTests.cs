using System.Diagnostics;
using System.Text.Json;
using SharpEdge.Numerics.Io;
using SharpEdge.Runs;

namespace SharpEdge.Cli.Tests;

/// <summary>Checkpoints, <c>--resume</c>, <c>--fork</c> and kill -9 safety of <c>sharpedge train</c>, on a tiny MLP and 256 samples.</summary>
public class TrainCheckpointTests
{
    private static readonly string[] Tiny = ["train", "--model", "mlp:784-16-10:tanh", "--num-data", "256", "--lr", "0.05", "--batch", "8"];

    private static (string Results, Dictionary<string, string> Env) NewStore()
    {
        var results = Path.Combine(CliRunner.TempDirectory(), "results");
        return (results, new Dictionary<string, string> { ["SHARPEDGE_RESULTS"] = results });
    }

    private static CliRunner.Result Run(Dictionary<string, string> env, params string[] args)
    {
        var r = CliRunner.RunWithEnvironment(env, args);
        Assert.True(r.ExitCode == 0, $"sharpedge {string.Join(" ", args)} exited {r.ExitCode}: {r.Stderr}");
        return r;
    }

    private static string ErrorLine(CliRunner.Result r)
    {
        Assert.NotEqual(0, r.ExitCode);
        return Assert.Single(r.Stderr.Split('\n', StringSplitOptions.RemoveEmptyEntries), l => l.StartsWith("sharpedge:"));
    }

    private static string Checkpoints(string results, long run) => Path.Combine(results, "runs", run.ToString(), "checkpoints");

    /// <summary>Every stored row of both runs (value, standard error, samples) and the final weights are equal bit for bit.</summary>
    private static void AssertSameRun(string results, long expected, long actual)
    {
        using var store = RunStore.Open(results, readOnly: true);
        var want = store.Metrics(expected);
        Assert.NotEmpty(want);
        Assert.Equal(want, store.Metrics(actual));
        Assert.Equal(File.ReadAllBytes(Path.Combine(store.GetRun(expected).Folder!, "final.safetensors")),
                     File.ReadAllBytes(Path.Combine(store.GetRun(actual).Folder!, "final.safetensors")));
    }

    [Fact]
    public void Half_a_run_resumed_to_the_end_equals_the_whole_run_bit_for_bit()
    {
        var (results, env) = NewStore();
        string[] settings = [.. Tiny, "--optimizer", "momentum", "--measure", "lambda-max@10,batch-sharpness@1<4/15", "--checkpoint-every", "10"];
        Run(env, [.. settings, "--steps", "40", "--name", "whole"]);
        Run(env, [.. settings, "--steps", "20", "--name", "half"]);
        var resumed = Run(env, "train", "--resume", "half", "--steps", "40", "--json");

        using var doc = JsonDocument.Parse(resumed.Stdout);
        Assert.Equal(2, doc.RootElement.GetProperty("run").GetInt64());
        Assert.Equal("finished", doc.RootElement.GetProperty("status").GetString());
        Assert.Equal(40, doc.RootElement.GetProperty("steps").GetInt64());
        using (var store = RunStore.Open(results, readOnly: true))
        {
            Assert.Equal(40, store.Metrics(1, "loss").Count);
            Assert.Equal([0, 10, 20, 30, 40], store.Metrics(1, "lambda_max").Select(m => m.Step));
            Assert.Equal([0, 1, 2, 3, 15, 30, 40], store.Metrics(1, "batch_sharpness").Select(m => m.Step));   // the dense start, then every 15th, and the end
            Assert.Equal(40, store.GetRun(2).Config["steps"]!.GetValue<long>());
        }
        AssertSameRun(results, 1, 2);   // the half run's end-of-run measurement at step 20 is gone: 20 is not on the cadence
    }

    [Fact]
    public void A_run_killed_with_sigkill_shows_interrupted_and_resumes_to_the_uninterrupted_result()
    {
        var (results, env) = NewStore();
        string[] settings = [.. Tiny, "--measure", "lambda-max@40", "--checkpoint-every", "50"];
        using (var process = CliRunner.Start(env, [.. settings, "--steps", "100000000", "--name", "killed"]))
        {
            var first = Path.Combine(Checkpoints(results, 1), "checkpoint_step_50.json");
            var clock = Stopwatch.StartNew();
            while (!File.Exists(first))
            {
                Assert.False(process.HasExited, "training ended before it could be killed");
                Assert.True(clock.Elapsed < TimeSpan.FromSeconds(60), "no checkpoint after 60 s");
                Thread.Sleep(5);
            }
            process.Kill();   // SIGKILL: no handler runs, the store still says 'running'
            process.WaitForExit();
        }
        var list = Run(env, "runs", "list", "--json");
        using (var doc = JsonDocument.Parse(list.Stdout))
            Assert.Equal("interrupted", doc.RootElement[0].GetProperty("status").GetString());

        var last = Directory.EnumerateFiles(Checkpoints(results, 1), "*.json").Select(f => long.Parse(Path.GetFileNameWithoutExtension(f).Split('_')[^1])).Max();
        var total = (last + 30).ToString();
        Run(env, "train", "--resume", "killed", "--steps", total);
        Run(env, [.. settings, "--steps", total, "--name", "reference"]);
        using (var store = RunStore.Open(results, readOnly: true))
        {
            Assert.Equal(RunStatus.Finished, store.GetRun(1).Status);
            Assert.Equal(last + 30, store.Metrics(1, "loss").Count);   // nothing after the new end survived from before the kill
        }
        AssertSameRun(results, 2, 1);
    }

    [Fact]
    public void A_fork_starts_from_the_parents_checkpoint_with_its_own_learning_rate()
    {
        var (results, env) = NewStore();
        Run(env, [.. Tiny, "--steps", "21", "--checkpoint-every", "10", "--name", "parent"]);
        var fork = Run(env, "train", "--fork", "parent", "--at-step", "20", "--lr", "0.2", "--steps", "21", "--json");
        using (var doc = JsonDocument.Parse(fork.Stdout))
        {
            Assert.Equal(2, doc.RootElement.GetProperty("run").GetInt64());
            Assert.Equal(1, doc.RootElement.GetProperty("parent").GetInt64());
            Assert.Equal(20, doc.RootElement.GetProperty("fork_step").GetInt64());
        }
        using (var store = RunStore.Open(results, readOnly: true))
        {
            var child = store.GetRun(2);
            Assert.Equal((1L, 20L), (child.ParentId, child.ForkStep));
            Assert.Equal(0.2, child.Config["lr"]!.GetValue<double>());
            Assert.Equal("mlp:784-16-10:tanh", child.Config["model"]!.GetValue<string>());
            // same θ and the same batch at step 20: the same loss, to the bit
            Assert.Equal(store.Metrics(1, "loss")[20].Value, Assert.Single(store.Metrics(2, "loss")).Value);
        }
        // one SGD step from the same θ₂₀ and gradient with 4 times the learning rate moves 4 times as far
        Dictionary<string, float[]> Tensors(string path) => SafeTensors.Read(path).Tensors.ToDictionary(t => t.Name, t => t.Data as float[] ?? []);
        var start = Tensors(Path.Combine(Checkpoints(results, 1), "checkpoint_step_20.safetensors"));
        var parentEnd = Tensors(Path.Combine(results, "runs", "1", "final.safetensors"));
        var childEnd = Tensors(Path.Combine(results, "runs", "2", "final.safetensors"));
        Assert.Equal(["layers.0.bias", "layers.0.weight", "layers.1.bias", "layers.1.weight"], childEnd.Keys.Order());
        double moved = 0;
        foreach (var (name, theta) in childEnd)
            for (int i = 0; i < theta.Length; i++)
            {
                Assert.Equal(4.0 * (start[name][i] - parentEnd[name][i]), start[name][i] - theta[i], 1e-6);
                moved += Math.Abs(start[name][i] - theta[i]);
            }
        Assert.True(moved > 1e-3, $"the fork's step moved θ by only {moved}");

        Assert.Contains("run 1 has no checkpoint at step 15; it has checkpoints at steps 0, 10, 20, 21",
            ErrorLine(CliRunner.RunWithEnvironment(env, "train", "--fork", "1", "--at-step", "15", "--lr", "0.1", "--steps", "30")));
        Assert.Contains("--model cannot change", ErrorLine(CliRunner.RunWithEnvironment(env, "train", "--fork", "1", "--at-step", "10", "--model", "mlp", "--steps", "30")));
        Assert.Contains("--lr cannot be given", ErrorLine(CliRunner.RunWithEnvironment(env, "train", "--resume", "1", "--lr", "0.1", "--steps", "30")));
    }

    [Fact]
    public void A_corrupt_checkpoint_is_one_clear_error_and_damages_nothing()
    {
        var (results, env) = NewStore();
        Run(env, [.. Tiny, "--steps", "20", "--checkpoint-every", "10", "--name", "c"]);
        var folder = Checkpoints(results, 1);
        var latest = Path.Combine(folder, "checkpoint_step_20.safetensors");
        var original = File.ReadAllBytes(latest);
        Dictionary<string, byte[]> Snapshot() => Directory.EnumerateFiles(folder).ToDictionary(f => f, File.ReadAllBytes);
        (RunStatus, int) Stored()
        {
            using var store = RunStore.Open(results, readOnly: true);
            return (store.GetRun(1).Status, store.Metrics(1).Count);
        }
        var before = Stored();

        var flipped = (byte[])original.Clone();
        flipped[original.Length / 2] ^= 0x10;
        File.WriteAllBytes(latest, flipped);
        var files = Snapshot();
        var error = ErrorLine(CliRunner.RunWithEnvironment(env, "train", "--resume", "1", "--steps", "30"));
        Assert.StartsWith($"sharpedge: error: checkpoint {Path.Combine(folder, "checkpoint_step_20.json")} is corrupt: the SHA-256", error);
        Assert.Contains("to resume from the checkpoint before it (step 10), move its two files aside", error);
        Assert.Equal(before, Stored());
        Assert.Equal(files, Snapshot());

        File.WriteAllBytes(latest, original[..^100]);
        Assert.Contains($"has {original.Length - 100} bytes, {original.Length} were written (truncated)",
            ErrorLine(CliRunner.RunWithEnvironment(env, "train", "--resume", "1", "--steps", "30")));
        Assert.Equal(before, Stored());

        // as the message says: with the bad pair moved aside the run resumes from step 10
        var aside = Directory.CreateDirectory(Path.Combine(results, "aside")).FullName;
        foreach (var file in Directory.EnumerateFiles(folder, "checkpoint_step_20.*")) File.Move(file, Path.Combine(aside, Path.GetFileName(file)));
        Assert.Contains("from its checkpoint at step 10", Run(env, "train", "--resume", "1", "--steps", "30").Stderr);
        using var after = RunStore.Open(results, readOnly: true);
        Assert.Equal(RunStatus.Finished, after.GetRun(1).Status);
        Assert.Equal(30, after.Metrics(1, "loss").Count);
    }
}
