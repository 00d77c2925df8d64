using System.Text.Json;
using System.Text.Json.Nodes;
using System.Xml.Linq;
using SharpEdge.Plots.Tests;
using SharpEdge.Runs;

namespace SharpEdge.Cli.Tests;

public class PlotCommandTests
{
    private const int Panel = 600;   // TrainingFigure.PanelWidth

    /// <summary>A run store in a temporary folder with train runs written directly (no training): name, lr and metric rows.</summary>
    private sealed class Store
    {
        public string Results { get; } = Path.Combine(CliRunner.TempDirectory(), "results");
        public Dictionary<string, string> Environment => new() { ["SHARPEDGE_RESULTS"] = Results };

        public long Add(string name, double lr, IEnumerable<MetricRow> rows)
        {
            using var store = RunStore.Open(Results);
            var id = store.CreateRun(new RunRecord { Name = name, Kind = "train", Config = new JsonObject { ["lr"] = lr, ["batch"] = 8 } });
            var folder = Path.Combine(Results, "runs", id.ToString());
            Directory.CreateDirectory(folder);
            store.SetFolder(id, folder);
            store.AppendMetrics(id, rows);
            store.Finish(id, RunStatus.Finished, 1);
            return id;
        }

        public CliRunner.Result Plot(params string[] args) => CliRunner.RunWithEnvironment(Environment, ["plot", .. args]);
    }

    /// <summary>Batch loss every step, and λ_max = 25, batch sharpness = 10 every 20 steps (constant, so each is one row of pixels).</summary>
    private static IEnumerable<MetricRow> Training(int steps = 200, double lambdaMax = 25)
    {
        for (int s = 0; s < steps; s++) yield return new MetricRow(s, s / 32.0, "loss", Math.Exp(-s / 60.0));
        for (int s = 0; s <= steps; s += 20)
        {
            yield return new MetricRow(s, s / 32.0, "lambda_max", lambdaMax);
            yield return new MetricRow(s, s / 32.0, "batch_sharpness", 10, 0.5, 100);
        }
    }

    /// <summary>The row of [top, bottom) where most pixels of columns [left, right) are <paramref name="colour"/>, and that share.</summary>
    private static (int Row, double Share) DensestRow(Raster raster, int left, int right, int top, int bottom, string colour, double below = 1.01) =>
        Enumerable.Range(top, bottom - top).Select(y => (Row: y, Share: raster.RowShare(y, left, right, colour)))
            .Where(r => r.Share < below).MaxBy(r => r.Share);

    [Fact]
    public void One_run_is_drawn_into_its_folder_with_the_threshold_where_the_axis_puts_it()
    {
        var store = new Store();
        var id = store.Add("tiny", 0.05, Training());
        var r = store.Plot("tiny");
        Assert.True(r.ExitCode == 0, r.Stderr);
        var path = Path.Combine(store.Results, "runs", id.ToString(), "training.png");
        Assert.Equal(path, r.Stdout.Trim());
        using var raster = new Raster(File.ReadAllBytes(path));
        Assert.Equal((2 * Panel, 400), (raster.Width, raster.Height));   // loss and sharpness side by side; no accuracy, step sharpness or GNI recorded

        // loss panel: the grey batch loss runs across it (a line some 500 pixels long)
        double lossPixels = Enumerable.Range(0, 400).Sum(y => raster.RowShare(y, 60, Panel - 20, "#7f7f7f")) * (Panel - 80);
        Assert.True(lossPixels > 300, $"{lossPixels} grey pixels in the loss panel");
        // sharpness panel, left part (the legend is lower right): λ_max = 25 blue, batch sharpness = 10 green, 2/η = 40 dashed black.
        // The axis is linear, so the rows must sit at 25 and 10 as fractions of the way from 40: (40−25)/(40−10) = 0.5.
        int left = Panel + 90, right = Panel + 360;
        var blue = DensestRow(raster, left, right, 40, 380, "#1f77b4");
        var green = DensestRow(raster, left, right, 40, 380, "#2ca02c");
        var dashed = DensestRow(raster, left, right, 40, 380, "#000000", below: 0.85);   // the frame's edges are solid
        Assert.True(blue.Share > 0.9 && green.Share > 0.9, $"λ_max row {blue}, batch sharpness row {green}");
        Assert.InRange(dashed.Share, 0.35, 0.85);
        Assert.True(dashed.Row < blue.Row && blue.Row < green.Row, $"rows: 2/η {dashed.Row}, λ_max {blue.Row}, batch sharpness {green.Row}");
        Assert.InRange((double)(blue.Row - dashed.Row) / (green.Row - dashed.Row), 0.47, 0.53);

        // --metrics keeps one panel; kebab-case names are accepted
        var single = Path.Combine(store.Results, "lambda.png");
        Assert.Equal(0, store.Plot(id.ToString(), "--metrics", "lambda-max", "--out", single).ExitCode);
        using var one = new Raster(File.ReadAllBytes(single));
        Assert.Equal((Panel, 400), (one.Width, one.Height));
    }

    [Fact]
    public void Overlaid_runs_get_a_legend_entry_and_a_threshold_each_and_json_names_the_figure()
    {
        var store = new Store();
        var a = store.Add("run-a", 0.05, Training());
        store.Add("run-b", 0.1, Training(lambdaMax: 15));
        var r = store.Plot("run-a", "run-b", "--svg", "--json");
        Assert.True(r.ExitCode == 0, r.Stderr);
        using var doc = JsonDocument.Parse(r.Stdout);   // the JSON document is all of stdout
        var path = Assert.Single(doc.RootElement.GetProperty("figures").EnumerateArray()).GetString();
        Assert.Equal(Path.Combine(store.Results, "runs", a.ToString(), "training.svg"), path);
        XNamespace ns = "http://www.w3.org/2000/svg";
        var texts = XDocument.Load(path!).Descendants(ns + "text").Select(t => t.Value.Trim()).ToList();
        Assert.Contains("run-a: λ_max", texts);
        Assert.Contains("run-b: batch sharpness", texts);
        Assert.Contains("2/η, η = 0.05", texts);
        Assert.Contains("2/η, η = 0.1", texts);
    }

    [Theory]
    [InlineData("nothing", "no run 'nothing'")]
    [InlineData("dup", "2 runs are named 'dup' (ids 2, 3); give an id")]
    [InlineData("empty", "run 4 'empty' has no metrics recorded")]
    [InlineData("tiny --metrics gni", "metric 'gni' is recorded by none of the runs (recorded: batch_sharpness, lambda_max, loss)")]
    [InlineData("tiny --svg --out f.png", "--svg asks for SVG")]
    public void Bad_requests_are_one_clear_error(string args, string message)
    {
        var store = new Store();
        store.Add("tiny", 0.05, Training(40));
        store.Add("dup", 0.05, Training(40));
        store.Add("dup", 0.1, Training(40));
        store.Add("empty", 0.05, []);
        var r = store.Plot(args.Split(' '));
        Assert.NotEqual(0, r.ExitCode);
        var line = Assert.Single(r.Stderr.Split('\n', StringSplitOptions.RemoveEmptyEntries), l => l.StartsWith("sharpedge:"));
        Assert.Contains(message, line);
        Assert.Equal("", r.Stdout);
    }
}
