using System.Text.Json;

namespace SharpEdge.Cli.Tests;

public class RunsCommandTests
{
    [Fact]
    public void Runs_list_export_and_show_follow_the_scripting_contract()
    {
        var dir = CliRunner.TempDirectory();
        var env = new Dictionary<string, string> { ["SHARPEDGE_RESULTS"] = Path.Combine(dir, "results") };
        foreach (var lr in new[] { "0.5", "2" })
            Assert.Equal(0, CliRunner.RunWithEnvironment(env, "phase", "train", "--lr", lr, "--seeds", "1", "--epochs", "20", "--batches", "10", "--out", Path.Combine(dir, "out")).ExitCode);

        var list = CliRunner.RunWithEnvironment(env, "runs", "list", "--json");
        Assert.True(list.ExitCode == 0, list.Stderr);
        using var doc = JsonDocument.Parse(list.Stdout);
        var runs = doc.RootElement.EnumerateArray().ToArray();
        Assert.Equal(2, runs.Length);
        Assert.Equal(new[] { 0.5, 2.0 }, runs.Select(r => r.GetProperty("config").GetProperty("lr").GetDouble()));   // newest last
        Assert.All(runs, r => Assert.Equal("finished", r.GetProperty("status").GetString()));
        var id = runs[1].GetProperty("id").GetInt64().ToString();

        var csv = Path.Combine(dir, "run.csv");
        Assert.Equal(0, CliRunner.RunWithEnvironment(env, "runs", "export", id, "--format", "csv", "--out", csv).ExitCode);
        var lines = File.ReadAllLines(csv);
        Assert.Equal("step,epoch,metric,value,se,samples", lines[0]);
        Assert.Contains("0,,models,1.0,,", lines);

        var show = CliRunner.RunWithEnvironment(env, "runs", "show", runs[0].GetProperty("name").GetString()!);
        Assert.True(show.ExitCode == 0, show.Stderr);
        Assert.Equal(1, JsonDocument.Parse(show.Stdout).RootElement.GetProperty("metrics").GetProperty("models").GetProperty("count").GetInt32());
    }

    [Fact]
    public void Unknown_runs_and_missing_stores_are_one_line_errors()
    {
        var dir = CliRunner.TempDirectory();
        var env = new Dictionary<string, string> { ["SHARPEDGE_RESULTS"] = Path.Combine(dir, "results") };
        var missing = CliRunner.RunWithEnvironment(env, "runs", "list");
        Assert.NotEqual(0, missing.ExitCode);
        Assert.Contains("no run store yet", missing.Stderr);
        Assert.Equal(0, CliRunner.RunWithEnvironment(env, "phase", "train", "--seeds", "1", "--epochs", "20", "--batches", "10", "--out", Path.Combine(dir, "out")).ExitCode);
        var unknown = CliRunner.RunWithEnvironment(env, "runs", "show", "nonexistent");
        Assert.NotEqual(0, unknown.ExitCode);
        Assert.Contains("no run 'nonexistent'", unknown.Stderr);
    }
}
