using ScottPlot;

namespace SharpEdge.Plots;

/// <summary>
/// A value per grid cell over two control parameters, the phase-diagram figure (phase_ml_spec §6): e.g. mean test
/// MSE over 1/σ_W × T on 2^k grids. <c>values[j, i]</c> belongs to <c>(x[i], y[j])</c> (rows go with y). Each cell
/// is centred on its grid point and the axes end at the outer cell edges. The grid must be evenly spaced on its
/// axis (a constant ratio on log axes). Colours follow fixed limits when given, values outside them take the end
/// colours and NaN cells stay blank; <see cref="LogColor"/> spaces the colours by decades (matplotlib's LogNorm).
/// Contour lines, curves and reference lines (the √2 line, T = T_c) can be drawn over the cells.
/// </summary>
public sealed class HeatmapFigure : PlotFigure
{
    private readonly double[] x, y;
    private readonly double[,] values;
    private readonly List<Contour> contours = [];
    private readonly List<Series> overlays = [];
    private readonly List<(ReferenceLine Line, bool Horizontal)> lines = [];

    public HeatmapFigure(IReadOnlyList<double> x, IReadOnlyList<double> y, double[,] values)
    {
        ArgumentNullException.ThrowIfNull(x);
        ArgumentNullException.ThrowIfNull(y);
        ArgumentNullException.ThrowIfNull(values);
        if (x.Count == 0 || y.Count == 0) throw new ArgumentException("a heatmap needs at least one x and one y grid value");
        if (values.GetLength(0) != y.Count || values.GetLength(1) != x.Count)
            throw new ArgumentException($"values are {values.GetLength(0)}x{values.GetLength(1)} but the grid needs [y.Count={y.Count}, x.Count={x.Count}] (rows go with y)");
        this.x = [.. x];
        this.y = [.. y];
        this.values = (double[,])values.Clone();
        Legend = LegendPosition.None;
    }

    public HeatmapColormap Colormap { get; set; } = HeatmapColormap.Inferno;
    /// <summary>Values mapped to the two ends of the colormap; null uses the finite data range.</summary>
    public (double Min, double Max)? ColorLimits { get; set; }
    public bool LogColor { get; set; }
    public bool ShowColorBar { get; set; } = true;
    public string? ColorBarLabel { get; set; }

    public HeatmapFigure AddContour(Contour contour)
    {
        ArgumentNullException.ThrowIfNull(contour);
        if (contour.Levels.Count == 0) throw new ArgumentException("a contour needs at least one level");
        if (contour.Field is { } f && (f.GetLength(0) != y.Length || f.GetLength(1) != x.Length))
            throw new ArgumentException($"contour field is {f.GetLength(0)}x{f.GetLength(1)} but the heatmap is {y.Length}x{x.Length}");
        if (contour.LevelColors is { } colors && colors.Count != contour.Levels.Count)
            throw new ArgumentException($"contour has {contour.Levels.Count} levels but {colors.Count} level colours");
        contours.Add(contour);
        return this;
    }

    /// <summary>A curve or points over the cells, in data units (e.g. T_c against 1/σ_W).</summary>
    public HeatmapFigure Add(Series s)
    {
        ArgumentNullException.ThrowIfNull(s);
        s.Validate();
        overlays.Add(s);
        return this;
    }

    public HeatmapFigure AddHorizontalLine(ReferenceLine line)
    {
        ArgumentNullException.ThrowIfNull(line);
        lines.Add((line, true));
        return this;
    }

    /// <summary>A vertical line, e.g. 1/σ_W = √2 from the bottom up to T ≈ 0.87 (<c>To = 0.87</c>).</summary>
    public HeatmapFigure AddVerticalLine(ReferenceLine line)
    {
        ArgumentNullException.ThrowIfNull(line);
        lines.Add((line, false));
        return this;
    }

    internal override Plot Build()
    {
        var (x0, dx) = Grid(x, XScale, "x");
        var (y0, dy) = Grid(y, YScale, "y");
        int nx = x.Length, ny = y.Length;
        var (cmin, cmax) = ColorRange();

        var plot = NewPlot();
        plot.HideGrid(); // grid lines would cross the cells
        // ScottPlot draws row 0 at the top; our row 0 is the smallest y, at the bottom.
        var intensities = new double[ny, nx];
        for (int j = 0; j < ny; j++)
            for (int i = 0; i < nx; i++)
                intensities[ny - 1 - j, i] = ColorValue(values[j, i]);
        var heatmap = plot.Add.Heatmap(intensities);
        heatmap.Colormap = Colormap.ToColormap();
        heatmap.ManualRange = new ScottPlot.Range(cmin, cmax);
        heatmap.NaNCellColor = Colors.Transparent;
        heatmap.Smooth = false;
        var cells = new CoordinateRect(x0 - dx / 2, x0 + (nx - 1) * dx + dx / 2, y0 - dy / 2, y0 + (ny - 1) * dy + dy / 2);
        heatmap.Rectangle = cells;

        if (ShowColorBar)
        {
            var bar = plot.Add.ColorBar(heatmap);
            if (!string.IsNullOrEmpty(ColorBarLabel)) bar.Label = ColorBarLabel;
            bar.LabelStyle.Bold = false;
            bar.LabelStyle.FontSize = 14;
            if (LogColor) SetLogTicks(bar.Axis, AxisScale.Log10, cmin, cmax);
            else UsePlainNumbers(bar.Axis);
        }

        foreach (var contour in contours) DrawContour(plot, contour, x0, dx, y0, dy);

        // Overlays never move the limits: the axes end at the outer cell edges.
        var xRange = new AxisRange(XScale, "x");
        var yRange = new AxisRange(YScale, "y");
        int next = 0;
        foreach (var s in overlays)
        {
            var color = PlotColors.Parse(s.Color ?? PlotColors.Cycle[next++ % PlotColors.Cycle.Count], s.Label ?? "series");
            SeriesDrawing.Draw(plot, s, color, XScale, YScale, plot.Axes.Left, xRange, yRange);
        }
        var xSpan = (XScale.FromAxis(cells.Left), XScale.FromAxis(cells.Right));
        var ySpan = (YScale.FromAxis(cells.Bottom), YScale.FromAxis(cells.Top));
        foreach (var (line, horizontal) in lines)
            ReferenceLines.Draw(plot, line, horizontal, XScale, YScale, xRange, yRange, horizontal ? xSpan : ySpan);

        plot.Axes.SetLimits(cells.Left, cells.Right, cells.Bottom, cells.Top);
        if (XScale.IsLog()) SetLogTicks(plot.Axes.Bottom, XScale, cells.Left, cells.Right);
        if (YScale.IsLog()) SetLogTicks(plot.Axes.Left, YScale, cells.Bottom, cells.Top);
        PlaceLegend(plot);
        return plot;
    }

    /// <summary>The value a cell's colour is computed from: log10 for a log colour scale (non-positive → blank).</summary>
    private double ColorValue(double v) => LogColor ? (v > 0 ? Math.Log10(v) : double.NaN) : v;

    /// <summary>The colour limits in colour-value space.</summary>
    internal (double Min, double Max) ColorRange()
    {
        if (ColorLimits is var (min, max))
        {
            if (!(max > min) || (LogColor && !(min > 0)))
                throw new ArgumentException($"colour limits ({min}, {max}) must increase{(LogColor ? " and be positive for a log colour scale" : "")}");
            return (ColorValue(min), ColorValue(max));
        }
        double low = double.PositiveInfinity, high = double.NegativeInfinity;
        foreach (double v in values)
        {
            double c = ColorValue(v);
            if (!double.IsFinite(c)) continue;
            low = Math.Min(low, c);
            high = Math.Max(high, c);
        }
        if (low > high) return (0, 1);
        return high > low ? (low, high) : (low - 0.5, high + 0.5);
    }

    private void DrawContour(Plot plot, Contour contour, double x0, double dx, double y0, double dy)
    {
        var field = contour.Field ?? values;
        bool labelled = false;
        for (int k = 0; k < contour.Levels.Count; k++)
        {
            var (color, pattern) = LineDashPatterns.Stroke(PlotColors.Parse(contour.LevelColors?[k] ?? contour.Color, $"contour at {contour.Levels[k]}"), contour.Dash);
            foreach (var polyline in ContourTracer.Trace(field, contour.Levels[k], contour.Mask))
            {
                var line = plot.Add.ScatterLine(
                    polyline.Select(p => x0 + p.Column * dx).ToArray(),
                    polyline.Select(p => y0 + p.Row * dy).ToArray(), color);
                line.LineWidth = contour.LineWidth;
                line.LinePattern = pattern;
                line.MarkerSize = 0;
                if (!labelled && !string.IsNullOrEmpty(contour.Label)) { line.LegendText = contour.Label; labelled = true; }
            }
        }
    }

    /// <summary>First grid point and spacing in axis space; the grid must increase evenly there.</summary>
    private static (double Start, double Step) Grid(double[] grid, AxisScale scale, string name)
    {
        var positions = grid.Select(v => scale.ToAxis(v)).ToArray();
        for (int i = 0; i < grid.Length; i++)
            if (!double.IsFinite(positions[i])) throw new ArgumentException($"{name} grid value {grid[i]} cannot be placed on a {scale} axis");
        if (grid.Length == 1) return (positions[0], 1);
        double step = (positions[^1] - positions[0]) / (grid.Length - 1);
        if (!(step > 0)) throw new ArgumentException($"{name} grid must increase (sort it, together with the values)");
        for (int i = 1; i < grid.Length; i++)
        {
            double gap = positions[i] - positions[i - 1];
            if (Math.Abs(gap - step) > 1e-6 * step)
                throw new ArgumentException(
                    $"{name} grid must be evenly spaced on its {scale} axis{(scale.IsLog() ? " (a constant ratio between neighbours)" : "")}: " +
                    $"{grid[i - 1]} → {grid[i]} breaks the pattern");
        }
        return (positions[0], step);
    }
}
