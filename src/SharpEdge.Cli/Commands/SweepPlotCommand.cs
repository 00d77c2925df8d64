using System.CommandLine;
using System.Globalization;
using System.Text.Json.Nodes;
using SharpEdge.Plots;
using SharpEdge.Runs;
using SharpEdge.Sweeps;

namespace SharpEdge.Cli.Commands;

/// <summary>
/// <c>sweep plot NAME --x AXIS --y AXIS --value OBSERVABLE</c>: a heatmap of one number per finished task over two
/// axes of the sweep, the median over seeds (and any other axis not drawn) in each cell; log axes for grids with a
/// constant ratio. The observable is a run metric (its plateau: mean of the last third), a phase cell's final
/// loss, or a column of <c>phase analyze</c>'s cells.csv (<see cref="SweepObservable"/>).
/// </summary>
public static class SweepPlotCommand
{
    public static Command Create()
    {
        var name = new Argument<string>("NAME") { Description = "the sweep's name" };
        var x = new Option<string>("--x") { Description = "axis across (a flag the sweep varies, e.g. lr)", Required = true };
        var y = new Option<string>("--y") { Description = "axis up (e.g. eps, batch)", Required = true };
        var value = new Option<string>("--value")
        {
            Description = $"what the colour shows: a metric (lambda_max, batch_sharpness, loss, …: mean of its last third), {SweepObservable.FinalLoss} of phase cells, or a cells.csv column of `phase analyze`",
            Required = true,
        };
        var output = new Option<string?>("--out") { Description = "figure file, .png or .svg (default: VALUE_X_Y.png in the sweep's folder)" };
        var results = RunsCommands.ResultsOption();
        var json = CommonOptions.Json();
        var command = new Command("plot", "Heatmap of an observable over two axes of a sweep, median over seeds.") { name, x, y, value, output, results, json };
        command.SetAction(parse =>
        {
            using var store = SweepCommands.OpenExisting(parse.GetValue(results));
            var sweep = SweepCommands.FindSweep(store, parse.GetValue(name)!);
            string xAxis = parse.GetValue(x)!.TrimStart('-'), yAxis = parse.GetValue(y)!.TrimStart('-'), observable = parse.GetValue(value)!;
            var done = store.Tasks(sweep.Name, SweepTaskState.Done).Where(t => t.RunId is not null).ToList();
            if (done.Count == 0) throw new ArgumentException($"sweep {sweep.Name}: no task is done yet (see `sharpedge sweep status {sweep.Name}`)");
            var axes = done.SelectMany(t => JsonNode.Parse(t.Axes)!.AsObject().Select(kv => kv.Key)).Distinct().ToList();
            foreach (var axis in new[] { xAxis, yAxis })
                if (!axes.Contains(axis)) throw new ArgumentException($"sweep {sweep.Name} has no axis '{axis}' (its axes: {string.Join(", ", axes)})");

            var points = new List<(double, double, double)>();
            string? missing = null;
            foreach (var task in done)
            {
                var taskAxes = JsonNode.Parse(task.Axes)!.AsObject();
                var (v, why) = SweepObservable.Of(store, store.GetRun(task.RunId!.Value), observable);
                missing ??= why;
                points.Add((Number(taskAxes, xAxis), Number(taskAxes, yAxis), v ?? double.NaN));
            }
            if (missing is not null && points.All(p => double.IsNaN(p.Item3))) throw new ArgumentException($"sweep {sweep.Name}: no value of '{observable}': {missing}");
            var grid = SweepGrid.Build(points);
            int perCell = grid.Count.Cast<int>().Where(c => c > 0).DefaultIfEmpty(0).Max();
            var figure = new HeatmapFigure(grid.X, grid.Y, grid.Median)
            {
                XScale = Scale(grid.X), YScale = Scale(grid.Y), XLabel = xAxis, YLabel = yAxis, ColorBarLabel = observable,
                Title = $"{sweep.Name}: {observable}" + (perCell > 1 ? $", median of {perCell} per cell" : ""),
            };
            var path = parse.GetValue(output) ?? Path.Combine(sweep.Folder, $"{observable}_{xAxis}_{yAxis}.png");
            figure.Save(path);
            if (parse.GetValue(json))
                CommandRunner.WriteJson(new
                {
                    figure = Path.GetFullPath(path), x = grid.X, y = grid.Y,
                    median = Rows(grid.Median, v => double.IsFinite(v) ? v : (double?)null), count = Rows(grid.Count, c => c),
                });
            else Console.WriteLine(Path.GetFullPath(path));
        });
        return command;
    }

    private static double Number(JsonObject axes, string axis) =>
        axes[axis]?.GetValue<string>() is { } text && double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out var v) ? v
            : throw new ArgumentException($"axis '{axis}' has a value that is not a number ('{axes[axis]}'); only numeric axes can be drawn");

    /// <summary>Log (base 2 for power-of-two steps) when the values keep a constant ratio, else linear.</summary>
    internal static AxisScale Scale(double[] values)
    {
        if (values.Length < 2 || values.Any(v => !(v > 0))) return AxisScale.Linear;
        var ratios = values.Zip(values.Skip(1), (a, b) => Math.Log2(b / a)).ToArray();
        if (ratios.Any(r => Math.Abs(r - ratios[0]) > 1e-6 * Math.Abs(ratios[0]))) return AxisScale.Linear;
        if (values.Length == 2 && Math.Abs(values[1] - values[0]) <= values[0] * 0.5) return AxisScale.Linear; // 1 and 1.5: nothing logarithmic about it
        return Math.Abs(ratios[0] - Math.Round(ratios[0])) < 1e-9 ? AxisScale.Log2 : AxisScale.Log10;
    }

    private static T[][] Rows<TIn, T>(TIn[,] matrix, Func<TIn, T> map) =>
        Enumerable.Range(0, matrix.GetLength(0)).Select(j => Enumerable.Range(0, matrix.GetLength(1)).Select(i => map(matrix[j, i])).ToArray()).ToArray();
}
