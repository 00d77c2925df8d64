using System.Text.Json;
using SharpEdge.Cli.Commands;
using SharpEdge.Plots.Tests;
using SharpEdge.Runs;

namespace SharpEdge.Cli.Tests;

public class DemoCommandTests
{
    private const int Panel = 600;   // TrainingFigure.PanelWidth

    [Fact]
    public void A_shortened_demo_is_a_normal_run_with_its_measurements_and_figure()
    {
        // the physics needs the full demo (minutes); this checks the plumbing on a small model and 24 steps
        var dir = CliRunner.TempDirectory();
        var results = Path.Combine(dir, "results");
        var env = new Dictionary<string, string> { ["SHARPEDGE_RESULTS"] = results };
        var r = CliRunner.RunWithEnvironment(env, "demo", "--model", "mlp:784-32-10", "--num-data", "512", "--steps", "24",
            "--lr", "0.05", "--lambda-every", "8", "--sharpness-every", "12", "--json");
        Assert.True(r.ExitCode == 0, r.Stderr);
        using var doc = JsonDocument.Parse(r.Stdout);
        var root = doc.RootElement;
        Assert.Equal("finished", root.GetProperty("status").GetString());
        Assert.Equal(24, root.GetProperty("steps").GetInt64());
        Assert.Equal(40, root.GetProperty("threshold").GetDouble(), 12);
        var figure = root.GetProperty("figure").GetString()!;
        Assert.Equal(Path.Combine(results, "demo.png"), figure);
        Assert.Contains(figure, r.Stderr);

        using var store = RunStore.Open(results, readOnly: true);
        var run = Assert.Single(store.ListRuns());
        Assert.Equal(root.GetProperty("run").GetInt64(), run.Id);
        Assert.Equal(("demo", "train", RunStatus.Finished), (run.Name, run.Kind, run.Status));
        Assert.Equal(("fmnist-mini", 512, "mse", 8, 0.2), (run.Config["dataset"]!.GetValue<string>(), run.Config["samples"]!.GetValue<int>(),
            run.Config["loss"]!.GetValue<string>(), run.Config["batch"]!.GetValue<int>(), run.Config["init_scale"]!.GetValue<double>()));
        Assert.Equal(24, store.Metrics(run.Id, "loss").Count);
        Assert.Equal(new long[] { 0, 8, 16, 24 }, store.Metrics(run.Id, "lambda_max").Select(m => m.Step));
        Assert.Equal(new long[] { 0, 12, 24 }, store.Metrics(run.Id, "batch_sharpness").Select(m => m.Step));
        Assert.Equal(new long[] { 0, 12, 24 }, store.Metrics(run.Id, "full_loss").Select(m => m.Step));
        Assert.All(store.Metrics(run.Id, "batch_sharpness"), m => Assert.True(m.Se > 0 && m.Samples > 1));
        Assert.True(File.Exists(Path.Combine(run.Folder!, "results.txt")));
        Assert.True(File.Exists(Path.Combine(run.Folder!, "final.safetensors")));

        // the printed ratios are the stored estimates of the last third (steps ≥ 16) over 2/η
        double threshold = 2 / 0.05;
        var lastSharpness = store.Metrics(run.Id, "batch_sharpness").Single(m => m.Step == 24).Value;
        var lastLambdas = store.Metrics(run.Id, "lambda_max").Where(m => m.Step >= 16).Select(m => m.Value).ToArray();
        Assert.Equal(lastSharpness / threshold, root.GetProperty("batch_sharpness_ratio").GetDouble(), 12);
        Assert.Equal(lastLambdas.Average() / threshold, root.GetProperty("lambda_max_ratio").GetDouble(), 12);
        Assert.False(string.IsNullOrWhiteSpace(root.GetProperty("verdict").GetString()));

        // the figure: loss beside λ_max and batch sharpness against 2/η
        using (var raster = new Raster(File.ReadAllBytes(figure)))
            Assert.Equal((2 * Panel, 400), (raster.Width, raster.Height));
        // and the run works with the other commands
        var show = CliRunner.RunWithEnvironment(env, "runs", "show", run.Id.ToString());
        Assert.True(show.ExitCode == 0, show.Stderr);
        Assert.Equal(4, JsonDocument.Parse(show.Stdout).RootElement.GetProperty("metrics").GetProperty("lambda_max").GetProperty("count").GetInt32());
        var plot = CliRunner.RunWithEnvironment(env, "plot", "demo");
        Assert.True(plot.ExitCode == 0, plot.Stderr);
        Assert.True(File.Exists(Path.Combine(run.Folder!, "training.png")));
    }

    [Fact]
    public void The_text_report_names_the_run_the_figure_and_the_ratios()
    {
        var dir = CliRunner.TempDirectory();
        var env = new Dictionary<string, string> { ["SHARPEDGE_RESULTS"] = Path.Combine(dir, "results") };
        var figure = Path.Combine(dir, "d.svg");
        var r = CliRunner.RunWithEnvironment(env, "demo", "--model", "mlp:784-16-10:tanh", "--num-data", "256", "--steps", "9",
            "--lambda-every", "3", "--sharpness-every", "3", "--lr", "0.1", "--out", figure);
        Assert.True(r.ExitCode == 0, r.Stderr);
        Assert.Contains("run 1 'demo' (finished at step 9", r.Stdout);
        Assert.Contains($"figure: {figure}", r.Stdout);
        Assert.Contains("2/η = 20 (η = 0.1); over the last third of training (steps ≥ 6)", r.Stdout);
        Assert.Contains("verdict: EoSS", r.Stdout);
        Assert.Contains("<svg", File.ReadAllText(figure));
    }

    [Fact]
    public void A_diverging_demo_is_stored_as_diverged_and_says_why()
    {
        var dir = CliRunner.TempDirectory();
        var env = new Dictionary<string, string> { ["SHARPEDGE_RESULTS"] = Path.Combine(dir, "results") };
        var r = CliRunner.RunWithEnvironment(env, "demo", "--model", "mlp:784-16-10", "--num-data", "256", "--steps", "50", "--lr", "1000",
            "--lambda-every", "10", "--sharpness-every", "10", "--json");
        Assert.True(r.ExitCode == 0, r.Stderr);
        using var doc = JsonDocument.Parse(r.Stdout);
        Assert.Equal("diverged", doc.RootElement.GetProperty("status").GetString());
        Assert.False(doc.RootElement.GetProperty("shown").GetBoolean());
        Assert.StartsWith($"training diverged at step {doc.RootElement.GetProperty("steps").GetInt64()} (loss", doc.RootElement.GetProperty("verdict").GetString());
        using var store = RunStore.Open(Path.Combine(dir, "results"), readOnly: true);
        Assert.Equal(RunStatus.Diverged, Assert.Single(store.ListRuns()).Status);
    }

    [Theory]
    [InlineData("--lambda-every", "0", "--lambda-every must be positive")]
    [InlineData("--steps", "0", "--steps must be positive")]
    [InlineData("--out", "demo.txt", "--out must name a .png or .svg file")]
    public void Bad_settings_are_one_clear_error(string option, string value, string message)
    {
        var dir = CliRunner.TempDirectory();
        var env = new Dictionary<string, string> { ["SHARPEDGE_RESULTS"] = Path.Combine(dir, "results") };
        var r = CliRunner.RunWithEnvironment(env, "demo", option, value);
        Assert.NotEqual(0, r.ExitCode);
        var line = Assert.Single(r.Stderr.Split('\n', StringSplitOptions.RemoveEmptyEntries));
        Assert.StartsWith("sharpedge: error:", line);
        Assert.Contains(message, line);
        Assert.False(Directory.Exists(Path.Combine(dir, "results")));   // nothing stored for a rejected command line
    }

    /// <summary>Rows of a 300-step run at η = 0.1 (2/η = 20): batch sharpness every 50 steps, λ_max every 100.</summary>
    private static List<MetricRow> Rows(double[] sharpness, double[] lambdas)
    {
        var rows = new List<MetricRow>();
        for (int i = 0; i < sharpness.Length; i++) rows.Add(new MetricRow(50 * i, null, "batch_sharpness", sharpness[i], 0.1, 1000));
        for (int i = 0; i < lambdas.Length; i++) rows.Add(new MetricRow(100 * i, null, "lambda_max", lambdas[i]));
        rows.Add(new MetricRow(300, null, "full_loss", 0.05));
        rows.Add(new MetricRow(300, null, "full_accuracy", 0.9));
        return rows;
    }

    [Fact]
    public void The_summary_averages_the_last_third_against_two_over_eta()
    {
        // last third: steps ≥ 200, i.e. sharpness at 200, 250, 300 (mean 21 = 1.05 × 20) and λ_max at 200, 300 (mean 9 = 0.45 × 20)
        var shown = EdgeSummary.Of(Rows([4, 8, 12, 16, 19, 21, 23], [5, 7, 8, 10]), 0.1, 300);
        Assert.Equal(200, shown.LastThirdFrom);
        Assert.Equal((3, 2), (shown.BatchSharpnessCount, shown.LambdaMaxCount));
        Assert.Equal(1.05, shown.BatchSharpnessRatio, 12);
        Assert.Equal(0.45, shown.LambdaMaxRatio, 12);
        Assert.Equal(0.5, shown.LambdaMaxPeakRatio, 12);
        Assert.Equal(0.2, shown.InitialBatchSharpnessRatio, 12);
        Assert.Equal((0.05, 0.9), (shown.FinalLoss, shown.FinalAccuracy));
        Assert.True(shown.Shown);
        Assert.StartsWith("EoSS shown: batch sharpness rose from 0.20 to 1.05 × 2/η", shown.Verdict);

        // 12.6 = 0.63 × 2/η: more than 15 % below the edge
        var below = EdgeSummary.Of(Rows([4, 8, 10, 11, 12, 13, 12.8], [5, 7, 8, 10]), 0.1, 300);
        Assert.Equal(0.63, below.BatchSharpnessRatio, 12);
        Assert.False(below.Shown);
        Assert.Contains("batch sharpness 0.63 × 2/η is still below 2/η", below.Verdict);

        // batch sharpness at the edge, but λ_max at 1.1 × 2/η (mean of 21 and 23): not the paper's picture
        var above = EdgeSummary.Of(Rows([4, 8, 12, 16, 19, 21, 23], [5, 7, 21, 23]), 0.1, 300);
        Assert.False(above.Shown);
        Assert.Contains("λ_max 1.10 × 2/η is not below 2/η", above.Verdict);
    }
}
