using System.CommandLine;
using SharpEdge.Plots;
using SharpEdge.Runs;
using SharpEdge.Sweeps;

namespace SharpEdge.Cli.Commands;

/// <summary>
/// <c>sweep plot NAME --x AXIS --y AXIS --value OBSERVABLE</c>: a heatmap of one number per finished task over two
/// axes of the sweep, the median over seeds (and any other axis not drawn) in each cell.
/// <c>sweep plot NAME --x AXIS [--series AXIS] --value M1,M2</c> (no --y): lines of each metric against one axis,
/// mean ± standard error over seeds, one line per value of the series axis, with 2/η drawn for reference.
/// Log axes for grids with a constant ratio. The observable is a run metric (its plateau: mean of the last
/// third), a phase cell's final loss, or a column of <c>phase analyze</c>'s cells.csv (<see cref="SweepObservable"/>).
/// </summary>
public static class SweepPlotCommand
{
    public static Command Create()
    {
        var name = new Argument<string>("NAME") { Description = "the sweep's name" };
        var x = new Option<string>("--x") { Description = "axis across (a flag the sweep varies, e.g. lr)", Required = true };
        var y = new Option<string?>("--y") { Description = "axis up (e.g. eps, batch): draws a heatmap; without it, lines against --x" };
        var series = new Option<string?>("--series") { Description = "lines only: one line per value of this axis (e.g. batch)" };
        var value = new Option<string>("--value")
        {
            Description = $"what is drawn: a metric (lambda_max, batch_sharpness, loss, …: mean of its last third), {SweepObservable.FinalLoss} of phase cells, or a cells.csv column of `phase analyze`; lines take several, comma-separated",
            Required = true,
        };
        var normalize = new Option<bool>("--normalize") { Description = "divide each task's value by its 2/η (train runs), so the stability threshold is 1" };
        var output = new Option<string?>("--out") { Description = "figure file, .png or .svg (default: VALUE_X_Y.png, or M1+M2_X[_by_SERIES].png for lines, in the sweep's folder)" };
        var results = RunsCommands.ResultsOption();
        var json = CommonOptions.Json();
        var command = new Command("plot", "Heatmap of an observable over two axes of a sweep (median over seeds), or lines of metrics against one axis (mean ± standard error over seeds) with 2/η.")
        {
            name, x, y, series, value, normalize, output, results, json,
        };
        command.SetAction(parse =>
        {
            using var store = SweepCommands.OpenExisting(parse.GetValue(results));
            var sweep = SweepCommands.FindSweep(store, parse.GetValue(name)!);
            string xAxis = Axis(parse.GetValue(x)!);
            string? yAxis = parse.GetValue(y) is { } yText ? Axis(yText) : null, seriesAxis = parse.GetValue(series) is { } s ? Axis(s) : null;
            var metrics = parse.GetValue(value)!.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries).Distinct().ToList();
            if (metrics.Count == 0) throw new ArgumentException("--value names nothing to draw");
            if (yAxis is not null && seriesAxis is not null) throw new ArgumentException("--series draws lines and --y a heatmap; give one of them");
            if (yAxis is not null && metrics.Count > 1) throw new ArgumentException($"a heatmap shows one value, not {metrics.Count} ({string.Join(", ", metrics)}); leave out --y for lines");
            var tasks = FinishedTasks.Load(store, sweep.Name);
            bool normalized = parse.GetValue(normalize);
            var samples = SweepLines.Collect(store, tasks, metrics, xAxis, yAxis ?? seriesAxis, normalized);
            string label = normalized ? "_normalized" : "";
            var path = parse.GetValue(output);
            if (yAxis is not null)
            {
                path ??= Path.Combine(sweep.Folder, $"{metrics[0]}_{xAxis}_{yAxis}{label}.png");
                Heatmap(sweep.Name, samples, xAxis, yAxis, metrics[0], normalized, path, parse.GetValue(json));
            }
            else
            {
                path ??= Path.Combine(sweep.Folder, $"{string.Join('+', metrics)}_{xAxis}{(seriesAxis is null ? "" : "_by_" + seriesAxis)}{label}.png");
                Lines(sweep.Name, samples, xAxis, seriesAxis, normalized, path, parse.GetValue(json));
            }
        });
        return command;
    }

    private static string Axis(string flag) => flag.TrimStart('-');

    private static void Heatmap(string sweep, IReadOnlyList<LineSample> samples, string xAxis, string yAxis, string observable, bool normalized, string path, bool json)
    {
        var grid = SweepGrid.Build(samples.Select(s => (s.X, s.Series!.Value, s.Value)));
        int perCell = grid.Count.Cast<int>().Where(c => c > 0).DefaultIfEmpty(0).Max();
        string shown = normalized ? $"{observable} / (2/η)" : observable;
        var figure = new HeatmapFigure(grid.X, grid.Y, grid.Median)
        {
            XScale = Scale(grid.X), YScale = Scale(grid.Y), XLabel = xAxis, YLabel = yAxis, ColorBarLabel = shown,
            Title = $"{sweep}: {shown}" + (perCell > 1 ? $", median of {perCell} per cell" : ""),
        };
        figure.Save(path);
        if (json)
            CommandRunner.WriteJson(new
            {
                figure = Path.GetFullPath(path), x = grid.X, y = grid.Y,
                median = Rows(grid.Median, v => double.IsFinite(v) ? v : (double?)null), count = Rows(grid.Count, c => c),
            });
        else Console.WriteLine(Path.GetFullPath(path));
    }

    private static void Lines(string sweep, IReadOnlyList<LineSample> samples, string xAxis, string? seriesAxis, bool normalized, string path, bool json)
    {
        var points = SweepLines.Summarise(samples);
        var figure = SweepLineFigure.Create(sweep, points, xAxis, seriesAxis, normalized);
        figure.Save(path);
        if (json)
            CommandRunner.WriteJson(new
            {
                figure = Path.GetFullPath(path), x = xAxis, series = seriesAxis, normalized,
                statistic = "mean and standard error (sample standard deviation / √n) over the tasks of each point",
                points = points.Select(p => new
                {
                    metric = p.Metric, x = p.X, series = p.Series, mean = Finite(p.Mean), se = Finite(p.StandardError), n = p.Count, threshold = p.Threshold,
                }),
            });
        else Console.WriteLine(Path.GetFullPath(path));
    }

    private static double? Finite(double v) => double.IsFinite(v) ? v : null;

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
