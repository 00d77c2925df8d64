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

public class PhaseSweepTests
{
    private static CliRunner.Result Sweep(string dir, params string[] extra) =>
        CliRunner.RunWithEnvironment(new() { ["SHARPEDGE_RESULTS"] = Path.Combine(dir, "results") },
            ["phase", "sweep", "--lrs", "1,2", "--epss", "0.5,4", "--seeds", "2", "--epochs", "20", "--batches", "20",
             "--out", Path.Combine(dir, "out"), "--json", .. extra]);

    [Fact]
    public void A_sweep_trains_every_cell_once_and_skips_finished_cells_when_run_again()
    {
        var dir = CliRunner.TempDirectory();
        var first = Sweep(dir);
        Assert.True(first.ExitCode == 0, first.Stderr);
        using (var doc = JsonDocument.Parse(first.Stdout))
        {
            Assert.Equal(4, doc.RootElement.GetProperty("trained").GetInt32());
            Assert.Equal(0, doc.RootElement.GetProperty("skipped").GetInt32());
        }
        var cells = Directory.GetFiles(Path.Combine(dir, "out"), "data.npz", SearchOption.AllDirectories);
        Assert.Equal(4, cells.Length);
        Assert.Contains(cells, c => c.Contains("r2K16_tanh_lr2_bs4_eps0.5"));
        var written = cells.ToDictionary(c => c, File.GetLastWriteTimeUtc);

        var second = Sweep(dir);
        Assert.True(second.ExitCode == 0, second.Stderr);
        using (var doc = JsonDocument.Parse(second.Stdout))
        {
            Assert.Equal(0, doc.RootElement.GetProperty("trained").GetInt32());
            Assert.Equal(4, doc.RootElement.GetProperty("skipped").GetInt32());
        }
        Assert.All(written, kv => Assert.Equal(kv.Value, File.GetLastWriteTimeUtc(kv.Key)));
        using var store = RunStore.Open(Path.Combine(dir, "results"), readOnly: true);
        Assert.Equal(4, store.ListRuns().Count);
    }

    [Fact]
    public void A_folder_with_cells_of_other_parameters_is_refused()
    {
        var dir = CliRunner.TempDirectory();
        Assert.Equal(0, Sweep(dir).ExitCode);
        var r = CliRunner.RunWithEnvironment(new() { ["SHARPEDGE_RESULTS"] = Path.Combine(dir, "results") },
            "phase", "sweep", "--lrs", "1", "--epss", "0.5", "--seeds", "2", "--epochs", "40", "--batches", "20", "--out", Path.Combine(dir, "out"));
        Assert.NotEqual(0, r.ExitCode);
        Assert.Contains("other parameters", r.Stderr);
        Assert.Contains("epochs", r.Stderr);
    }

    [Fact]
    public void Empty_or_bad_grids_are_errors()
    {
        var dir = CliRunner.TempDirectory();
        var r = CliRunner.Run("phase", "sweep", "--lrs", "1,-2", "--out", Path.Combine(dir, "out"));
        Assert.NotEqual(0, r.ExitCode);
        Assert.Contains("--lrs: '-2' is not a positive number", r.Stderr);
    }
}
