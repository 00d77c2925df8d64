using System.CommandLine;
using System.Text.Json.Nodes;
using SharpEdge.Curvature.Measurements;
using SharpEdge.Plots;
using SharpEdge.Runs;

namespace SharpEdge.Cli.Commands;

/// <summary>
/// <c>plot RUN [RUN…]</c>: the training figure of <c>visualization/plot_results.py</c> (eoss_spec §12) for runs of the
/// run store, several overlaid, written by default as <c>training.png</c> into the first run's folder.
/// </summary>
public static class PlotCommand
{
    public const string DefaultFileName = "training";

    public static Command Create()
    {
        var runs = new Argument<string[]>("run") { Description = "run ids or names (see `sharpedge runs list`); several are overlaid", Arity = ArgumentArity.OneOrMore };
        var results = RunsCommands.ResultsOption();
        var output = new Option<string?>("--out") { Description = $"figure file, .png or .svg (default: {DefaultFileName}.png in the first run's folder)" };
        var svg = new Option<bool>("--svg") { Description = $"write SVG (the default file becomes {DefaultFileName}.svg)" };
        var metrics = new Option<string?>("--metrics")
        {
            Description = $"metrics to draw, e.g. lambda_max,batch_sharpness (default: those of {string.Join(", ", TrainingFigure.StandardMetrics)} that were recorded)",
        };
        var json = CommonOptions.Json();
        var command = new Command("plot", "Draw loss, accuracy, λ_max, batch and step sharpness and GNI against 2/η for one or several runs.")
        {
            runs, results, output, svg, metrics, json,
        };
        command.SetAction(parse => Run(parse.GetValue(runs)!, parse.GetValue(results), parse.GetValue(output), parse.GetValue(svg), parse.GetValue(metrics), parse.GetValue(json)));
        return command;
    }

    private static void Run(string[] keys, string? results, string? output, bool svg, string? metricList, bool json)
    {
        if (svg && output is not null && !Path.GetExtension(output).Equals(".svg", StringComparison.OrdinalIgnoreCase))
            throw new ArgumentException($"--svg asks for SVG but --out names '{Path.GetFileName(output)}'; give an .svg file or leave out --svg");
        var metrics = metricList is null ? null
            : metricList.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries).Select(MeasurementRegistry.MetricName).ToArray();

        using var store = RunsCommands.OpenStore(results);
        var records = keys.Select(k => Resolve(store, k)).DistinctBy(r => r.Id).ToList();
        var traces = records.Select(r => (Record: r, Rows: store.Metrics(r.Id))).ToList();
        foreach (var (record, rows) in traces.Where(t => t.Rows.Count == 0))
            CommandRunner.Log($"plot: run {record.Id} '{record.Name}' has no metrics recorded");
        if (traces.All(t => t.Rows.Count == 0))
            throw new ArgumentException(records.Count == 1 ? $"run {records[0].Id} '{records[0].Name}' has no metrics recorded" : "none of the runs has metrics recorded");

        var duplicateNames = records.GroupBy(r => r.Name).Where(g => g.Count() > 1).Select(g => g.Key).ToHashSet();
        var figure = TrainingFigure.Create(traces.Select(t => ToRunCurves(t.Record, t.Rows, duplicateNames.Contains(t.Record.Name))).ToList(), metrics);

        var path = Path.GetFullPath(output ?? Path.Combine(
            records[0].Folder ?? throw new ArgumentException($"run {records[0].Id} '{records[0].Name}' has no run folder; give --out"),
            DefaultFileName + (svg ? ".svg" : ".png")));
        figure.Save(path);
        CommandRunner.Log($"plot: {string.Join(", ", records.Select(r => $"run {r.Id} '{r.Name}'"))} drawn to {path}");
        if (json) CommandRunner.WriteJson(new { figures = new[] { path } });
        else Console.WriteLine(path);
    }

    /// <summary>A run by id, or by name when exactly one run has it; a name shared by several runs must be given as an id.</summary>
    private static RunRecord Resolve(RunStore store, string key)
    {
        key = key.Trim();
        if (long.TryParse(key, System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out _) && store.FindRun(key) is { } byId && byId.Id.ToString() == key)
            return byId;
        var named = store.ListRuns(new RunFilter { NameContains = key }).Where(r => r.Name == key).ToList();
        return named.Count switch
        {
            0 => throw new ArgumentException($"no run '{key}' in {store.DatabasePath} (see `sharpedge runs list`)"),
            1 => named[0],
            _ => throw new ArgumentException($"{named.Count} runs are named '{key}' (ids {string.Join(", ", named.Select(r => r.Id))}); give an id"),
        };
    }

    internal static RunCurves ToRunCurves(RunRecord record, IReadOnlyList<MetricRow> rows, bool withId)
    {
        var metrics = rows.GroupBy(r => r.Name).ToDictionary(
            g => g.Key,
            g => new MetricTrace(g.Select(r => (double)r.Step).ToArray(), g.Select(r => r.Value).ToArray()));
        return new RunCurves(withId ? $"{record.Name} #{record.Id}" : record.Name, metrics)
        {
            LearningRate = Setting<double>(record.Config, "lr"),
            BatchSize = Setting<int>(record.Config, "batch"),
        };
    }

    private static T? Setting<T>(JsonObject config, string key) where T : struct =>
        config.TryGetPropertyValue(key, out var node) && node is JsonValue value && value.TryGetValue(out T result) ? result : null;
}
