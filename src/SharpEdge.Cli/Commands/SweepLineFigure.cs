using System.Globalization;
using SharpEdge.Plots;
using SharpEdge.Sweeps;

namespace SharpEdge.Cli.Commands;

/// <summary>
/// The line figure of <c>sweep plot</c> without --y: each metric's points (mean ± standard error bars) against
/// the x axis, one line per value of the series axis, and the stability threshold 2/η: the curve 2/lr when x is
/// lr, one horizontal line when every point shares it, else a bar at each point's own 2/η; a line at 1 when the
/// values are normalised.
/// </summary>
public static class SweepLineFigure
{
    private static readonly LineDash[] DashByMetric = [LineDash.Solid, LineDash.Dashed, LineDash.DashDot, LineDash.Dotted];
    private static readonly PointMarker[] MarkerByMetric = [PointMarker.FilledCircle, PointMarker.FilledSquare, PointMarker.OpenCircle];
    private static readonly Dictionary<string, (string Label, string Color)> Known = new()
    {
        ["lambda_max"] = ("λ_max", "#1f77b4"),
        ["batch_sharpness"] = ("batch sharpness", "#2ca02c"),
    };

    public static LineFigure Create(string sweep, IReadOnlyList<LinePoint> points, string xAxis, string? seriesAxis, bool normalized)
    {
        var xs = points.Select(p => p.X).Distinct().Order().ToArray();
        var metrics = points.Select(p => p.Metric).Distinct().ToList();
        var seriesValues = points.Select(p => p.Series).Distinct().Order().ToList();
        var xScale = SweepPlotCommand.Scale(xs);
        bool thresholdCurve = !normalized && xAxis == "lr" && points.All(p => p.Threshold is double t && Same(t, 2 / p.X));
        int perPoint = points.Max(p => p.Count);
        var figure = new LineFigure
        {
            XScale = xScale,
            XTicks = xs,   // the grid's own values: a sweep has few, and 0.05 reads better than 2^-4.3
            // against lr on a log axis 2/η is a straight line when y is logarithmic too
            YScale = thresholdCurve && xScale != AxisScale.Linear && points.All(p => !(p.Mean <= 0)) ? AxisScale.Log10 : AxisScale.Linear,
            XLabel = xAxis,
            YLabel = normalized ? "plateau / (2/η)" : metrics.Count == 1 ? Display(metrics[0]) : "plateau",
            Title = $"{sweep}: plateau (mean of last third)" + (perPoint > 1 ? $", mean ± s.e. of {perPoint} per point" : ""),
            Legend = LegendPosition.OutsideRight,   // the lines crowd towards 2/η, where an inside legend would sit
            Width = 900,
            Height = 520,
        };
        for (int m = 0; m < metrics.Count; m++)
            for (int s = 0; s < seriesValues.Count; s++)
            {
                var line = points.Where(p => p.Metric == metrics[m] && p.Series == seriesValues[s]).ToList();
                if (line.Count == 0) continue;
                string label = seriesAxis is null ? Display(metrics[m])
                    : metrics.Count == 1 ? $"{seriesAxis}={Number(seriesValues[s]!.Value)}"
                    : $"{Display(metrics[m])}, {seriesAxis}={Number(seriesValues[s]!.Value)}";
                figure.Add(new Series(label, line.Select(p => p.X).ToArray(), line.Select(p => p.Mean).ToArray())
                {
                    Errors = line.Select(p => p.StandardError).ToArray(),
                    ErrorDisplay = ErrorDisplay.Bars,
                    Color = ColorOf(metrics[m], m, s, seriesAxis is not null),
                    Dash = seriesAxis is null ? LineDash.Solid : DashByMetric[m % DashByMetric.Length],
                    Marker = MarkerByMetric[m % MarkerByMetric.Length],
                    MarkerSize = 7,
                    LineWidth = 1.5f,
                });
            }
        AddThreshold(figure, points, seriesValues, seriesAxis, normalized, thresholdCurve, xs, xScale);
        return figure;
    }

    private static void AddThreshold(LineFigure figure, IReadOnlyList<LinePoint> points, List<double?> seriesValues, string? seriesAxis,
        bool normalized, bool curve, double[] xs, AxisScale xScale)
    {
        if (normalized)
        {
            figure.AddHorizontalLine(new ReferenceLine(1, "2/η"));
            return;
        }
        if (curve)
        {
            var x = Dense(xs[0], xs[^1], xScale);
            figure.Add(new Series("2/η", x, x.Select(v => 2 / v).ToArray()) { Color = PlotColors.Black, Dash = LineDash.Dashed, LineWidth = 1.5f });
            return;
        }
        var thresholds = points.Select(p => p.Threshold).Distinct().ToList();
        if (thresholds is [double shared])
        {
            figure.AddHorizontalLine(new ReferenceLine(shared, $"2/η = {Number(shared)}"));
            return;
        }
        // 2/η differs between lines (lr is the series axis) or points: a bar at each point's own threshold, in its line's colour
        bool labelled = false;
        for (int s = 0; s < seriesValues.Count; s++)
        {
            var marked = points.Where(p => p.Series == seriesValues[s] && p.Threshold is not null).DistinctBy(p => p.X).ToList();
            if (marked.Count == 0) continue;
            figure.Add(new Series(labelled ? null : "2/η of each point", marked.Select(p => p.X).ToArray(), marked.Select(p => p.Threshold!.Value).ToArray())
            {
                Color = seriesAxis is null ? PlotColors.Black : PlotColors.Cycle[s % PlotColors.Cycle.Count],
                Marker = PointMarker.HorizontalBar,
                MarkerSize = 16,
                LineWidth = 0,
            });
            labelled = true;
        }
    }

    /// <summary>200 points from lo to hi, evenly spaced on the axis (so 2/x is smooth on a linear axis too).</summary>
    private static double[] Dense(double lo, double hi, AxisScale scale)
    {
        const int n = 200;
        bool log = scale != AxisScale.Linear && lo > 0;
        return Enumerable.Range(0, n).Select(i =>
        {
            double t = (double)i / (n - 1);
            return log ? lo * Math.Pow(hi / lo, t) : lo + (hi - lo) * t;
        }).ToArray();
    }

    private static string ColorOf(string metric, int m, int s, bool bySeries) =>
        bySeries ? PlotColors.Cycle[s % PlotColors.Cycle.Count]
        : Known.TryGetValue(metric.Replace('-', '_'), out var known) ? known.Color : PlotColors.Cycle[m % PlotColors.Cycle.Count];

    private static string Display(string metric) => Known.TryGetValue(metric.Replace('-', '_'), out var known) ? known.Label : metric;

    private static string Number(double v) => v.ToString("G4", CultureInfo.InvariantCulture);

    private static bool Same(double a, double b) => Math.Abs(a - b) <= 1e-9 * Math.Abs(b);
}
