using ScottPlot;
using ScottPlot.Plottables;

namespace SharpEdge.Plots;

/// <summary>
/// Curves against a common x axis: training trajectories (sharpness, λ_max, loss against steps), observables
/// against temperature. Series may carry standard-error bands or error bars, sit on a right-hand twin axis, and
/// reference lines (2/η) get a legend entry like the series. Log axes show 10ⁿ (or 2ⁿ) tick labels.
/// </summary>
/// <example><code>
/// var figure = new LineFigure { Title = "batch size 8", XLabel = "steps", YLabel = "sharpness", YScale = AxisScale.Log10 }
///     .Add(new Series("λ_max", steps, lambdaMax))
///     .Add(new Series("batch sharpness", steps, RollingMean.Of(stepSharpness, 64, centered: true)) { Color = "#2ca02c" })
///     .AddHorizontalLine(new ReferenceLine(2 / lr, "2/η"));
/// figure.Save("sharpness.png");
/// </code></example>
public sealed class LineFigure : PlotFigure
{
    private readonly List<Series> series = [];
    private readonly List<ReferenceLine> horizontal = [];
    private readonly List<ReferenceLine> vertical = [];

    public string? RightYLabel { get; set; }
    public AxisScale RightYScale { get; set; } = AxisScale.Linear;
    /// <summary>Axis limits in data units; null fits the data.</summary>
    public (double Min, double Max)? XLimits { get; set; }
    public (double Min, double Max)? YLimits { get; set; }
    public (double Min, double Max)? RightYLimits { get; set; }
    /// <summary>
    /// Major x ticks at these data values, labelled with the plain numbers (a sweep's few grid values, 0.05 rather
    /// than 2^-4.3); null places them automatically (powers on log axes).
    /// </summary>
    public IReadOnlyList<double>? XTicks { get; set; }

    public IReadOnlyList<Series> Series => series;
    public IReadOnlyList<ReferenceLine> HorizontalLines => horizontal;

    public LineFigure Add(Series s)
    {
        ArgumentNullException.ThrowIfNull(s);
        s.Validate();
        series.Add(s);
        return this;
    }

    /// <summary>A horizontal line at y = <see cref="ReferenceLine.At"/> (left axis), e.g. 2/η dashed.</summary>
    public LineFigure AddHorizontalLine(ReferenceLine line)
    {
        ArgumentNullException.ThrowIfNull(line);
        horizontal.Add(line);
        return this;
    }

    public LineFigure AddVerticalLine(ReferenceLine line)
    {
        ArgumentNullException.ThrowIfNull(line);
        vertical.Add(line);
        return this;
    }

    private static void SetTicksAt(IAxis axis, AxisScale scale, IReadOnlyList<double> values)
    {
        var generator = new ScottPlot.TickGenerators.NumericManual();
        foreach (var v in values)
            if (double.IsFinite(scale.ToAxis(v))) generator.AddMajor(scale.ToAxis(v), PlainNumber(v));
        axis.TickGenerator = generator;
    }

    internal override Plot Build()
    {
        var plot = NewPlot();
        var x = new AxisRange(XScale, "x");
        var left = new AxisRange(YScale, "y");
        var right = new AxisRange(RightYScale, "right y");
        int next = 0;
        foreach (var s in series)
        {
            var color = PlotColors.Parse(s.Color ?? PlotColors.Cycle[next++ % PlotColors.Cycle.Count], s.Label ?? "series");
            bool onRight = s.RightAxis;
            SeriesDrawing.Draw(plot, s, color, XScale, onRight ? RightYScale : YScale, onRight ? plot.Axes.Right : plot.Axes.Left, x, onRight ? right : left);
        }
        foreach (var line in horizontal)
            ReferenceLines.Draw(plot, line, horizontal: true, XScale, YScale, x, left, XLimits);
        foreach (var line in vertical)
            ReferenceLines.Draw(plot, line, horizontal: false, XScale, YScale, x, left, YLimits);

        x.Apply(plot, plot.Axes.Bottom, XLimits);
        if (XTicks is not null) SetTicksAt(plot.Axes.Bottom, XScale, XTicks);
        left.Apply(plot, plot.Axes.Left, YLimits);
        if (series.Any(s => s.RightAxis))
        {
            right.Apply(plot, plot.Axes.Right, RightYLimits);
            if (!string.IsNullOrEmpty(RightYLabel))
            {
                plot.Axes.Right.Label.Text = RightYLabel;
                plot.Axes.Right.Label.FontSize = 14;
            }
        }
        PlaceLegend(plot);
        return plot;
    }
}

/// <summary>Adds one <see cref="Series"/> to a ScottPlot plot in axis space: bands or bars, then the line.</summary>
internal static class SeriesDrawing
{
    public static void Draw(Plot plot, Series s, Color color, AxisScale xScale, AxisScale yScale, IYAxis yAxis, AxisRange xRange, AxisRange yRange)
    {
        int n = s.X.Count;
        var ax = new double[n];
        var ay = new double[n];
        for (int i = 0; i < n; i++)
        {
            ax[i] = xScale.ToAxis(s.X[i]);
            ay[i] = yScale.ToAxis(s.Y[i]);
        }
        color = color.WithAlpha(color.A / 255.0 * s.Opacity);

        if (s.HasBounds)
        {
            var low = new double[n];
            var high = new double[n];
            for (int i = 0; i < n; i++)
            {
                var (lo, hi) = s.Bounds(i);
                low[i] = yScale.ToAxis(lo);
                high[i] = yScale.ToAxis(hi);
                if (double.IsFinite(ax[i])) { yRange.Include(low[i]); yRange.Include(high[i]); }
            }
            if (s.ErrorDisplay == ErrorDisplay.Band)
            {
                foreach (var (start, end) in Runs(n, i => double.IsFinite(ax[i]) && double.IsFinite(low[i]) && double.IsFinite(high[i])))
                {
                    var band = plot.Add.FillY(ax[start..end], low[start..end], high[start..end]);
                    band.FillColor = color.WithAlpha(color.A / 255.0 * 0.25);
                    band.LineWidth = 0;
                    band.Axes.YAxis = yAxis;
                }
            }
            else
            {
                var keep = Enumerable.Range(0, n).Where(i => double.IsFinite(ax[i]) && double.IsFinite(ay[i]) && double.IsFinite(low[i]) && double.IsFinite(high[i])).ToArray();
                if (keep.Length > 0)
                {
                    var bars = new ErrorBar(
                        keep.Select(i => ax[i]).ToArray(), keep.Select(i => ay[i]).ToArray(), null, null,
                        keep.Select(i => high[i] - ay[i]).ToArray(), keep.Select(i => ay[i] - low[i]).ToArray())
                    {
                        Color = color,
                        LineWidth = Math.Max(1, s.LineWidth),
                        CapSize = 4,
                    };
                    bars.Axes.YAxis = yAxis;
                    plot.Add.Plottable(bars);
                }
            }
        }

        bool labelled = false;
        foreach (var (start, end) in Runs(n, i => double.IsFinite(ax[i]) && double.IsFinite(ay[i])))
        {
            var (stroke, pattern) = LineDashPatterns.Stroke(color, s.Dash);
            var line = plot.Add.Scatter(ax[start..end], ay[start..end], stroke);
            line.LineWidth = s.LineWidth;
            line.LinePattern = pattern;
            // A stand-in colour (SVG dashes) is for the line alone: the markers go on top in the series' own colour.
            bool markersApart = s.MarkerSize > 0 && stroke.ARGB != color.ARGB;
            SetMarkers(line, s, markersApart ? 0 : s.MarkerSize);
            if (markersApart)
            {
                var markers = plot.Add.Scatter(ax[start..end], ay[start..end], color);
                markers.LineWidth = 0;
                SetMarkers(markers, s, s.MarkerSize);
                markers.Axes.YAxis = yAxis;
            }
            line.Axes.YAxis = yAxis;
            if (!labelled && !string.IsNullOrEmpty(s.Label)) { line.LegendText = s.Label; labelled = true; }
            for (int i = start; i < end; i++) { xRange.Include(ax[i]); yRange.Include(ay[i]); }
        }
    }

    private static void SetMarkers(Scatter scatter, Series s, float size)
    {
        scatter.MarkerSize = size;
        scatter.MarkerShape = size > 0 ? s.Marker.ToShape() : MarkerShape.None;
        if (s.Marker == PointMarker.HorizontalBar) scatter.MarkerLineWidth = 2.5f;   // a bar is all stroke: the default hairline is hard to see
    }

    /// <summary>Maximal index ranges [start, end) where <paramref name="ok"/> holds.</summary>
    internal static IEnumerable<(int Start, int End)> Runs(int n, Func<int, bool> ok)
    {
        int i = 0;
        while (i < n)
        {
            while (i < n && !ok(i)) i++;
            int start = i;
            while (i < n && ok(i)) i++;
            if (i > start) yield return (start, i);
        }
    }
}

/// <summary>Draws a <see cref="ReferenceLine"/>: the full axis span, or a segment between From and To.</summary>
internal static class ReferenceLines
{
    public static void Draw(Plot plot, ReferenceLine line, bool horizontal, AxisScale xScale, AxisScale yScale,
        AxisRange xRange, AxisRange yRange, (double Min, double Max)? spanLimits)
    {
        var (across, along) = horizontal ? (yScale, xScale) : (xScale, yScale);
        string what = $"{(horizontal ? "horizontal" : "vertical")} line at {line.At}";
        double at = across.ToAxis(line.At);
        if (!double.IsFinite(at)) throw new ArgumentException($"{what} cannot be drawn on a {across} axis");
        var (color, pattern) = LineDashPatterns.Stroke(PlotColors.Parse(line.Color, what), line.Dash);
        (horizontal ? yRange : xRange).Include(at);
        if (line.From is null && line.To is null)
        {
            AxisLine axisLine = horizontal
                ? plot.Add.HorizontalLine(at, line.LineWidth, color, pattern)
                : plot.Add.VerticalLine(at, line.LineWidth, color, pattern);
            if (!string.IsNullOrEmpty(line.Label)) axisLine.LegendText = line.Label;
            return;
        }
        // A segment: open ends run to the current data extent of the other axis.
        var alongRange = horizontal ? xRange : yRange;
        var (alongLow, alongHigh) = alongRange.Limits(spanLimits);
        double from = line.From is double f ? along.ToAxis(f) : alongLow;
        double to = line.To is double t ? along.ToAxis(t) : alongHigh;
        if (!double.IsFinite(from) || !double.IsFinite(to)) throw new ArgumentException($"{what}: its ends cannot be placed on a {along} axis");
        var segment = horizontal
            ? plot.Add.ScatterLine(new[] { from, to }, new[] { at, at }, color)
            : plot.Add.ScatterLine(new[] { at, at }, new[] { from, to }, color);
        segment.LineWidth = line.LineWidth;
        segment.LinePattern = pattern;
        segment.MarkerSize = 0;
        if (!string.IsNullOrEmpty(line.Label)) segment.LegendText = line.Label;
    }
}
