using System.Text.Json;
using SharpEdge.Numerics.Io;
using SharpEdge.Runs;

namespace SharpEdge.Cli.Tests;

public class PhaseCommandTests
{
    [Fact]
    public void Phase_train_writes_the_cell_and_a_finished_run()
    {
        var dir = CliRunner.TempDirectory();
        var r = CliRunner.RunWithEnvironment(new() { ["SHARPEDGE_RESULTS"] = Path.Combine(dir, "results") },
            "phase", "train", "--lr", "0.5", "--eps", "2", "--seeds", "3", "--epochs", "20", "--batches", "50", "--out", Path.Combine(dir, "out"), "--json");
        Assert.True(r.ExitCode == 0, r.Stderr);
        using var doc = JsonDocument.Parse(r.Stdout);
        var path = doc.RootElement.GetProperty("path").GetString()!;
        Assert.EndsWith(Path.Combine("r2K16", "r2K16_tanh_lr0.5_bs4_eps2", "data.npz"), path);
        Assert.Equal(0.125, doc.RootElement.GetProperty("temperature").GetDouble());
        var arrays = Npz.Read(path);
        Assert.Equal(new[] { 3, 21, 16, 32 }, arrays["W"].Shape);
        Assert.Equal(new[] { 3, 21 }, arrays["loss"].Shape);
        Assert.Equal(doc.RootElement.GetProperty("seeds").EnumerateArray().Select(s => s.GetInt64()), arrays["seeds"].AsInt64());
        using var store = RunStore.Open(Path.Combine(dir, "results"), readOnly: true);
        var run = Assert.Single(store.ListRuns());
        Assert.Equal(RunStatus.Finished, run.Status);
        Assert.Equal("phase", run.Kind);
    }

    [Theory]
    [InlineData("--lr", "-1", "lr")]
    [InlineData("--epochs", "25", "20")]
    [InlineData("--actf", "softplus", "softplus")]
    public void Bad_parameters_are_one_clear_error(string option, string value, string message)
    {
        var dir = CliRunner.TempDirectory();
        var r = CliRunner.RunWithEnvironment(new() { ["SHARPEDGE_RESULTS"] = Path.Combine(dir, "results") },
            "phase", "train", option, value, "--out", Path.Combine(dir, "out"));
        Assert.NotEqual(0, r.ExitCode);
        var line = Assert.Single(r.Stderr.Split((char)10, StringSplitOptions.RemoveEmptyEntries), l => l.StartsWith("sharpedge:"));
        Assert.Contains(message, line);
        Assert.False(Directory.Exists(Path.Combine(dir, "out")));
    }
}
