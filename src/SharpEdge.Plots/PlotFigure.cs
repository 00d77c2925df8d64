using ScottPlot;
using SkiaSharp;

namespace SharpEdge.Plots;

/// <summary>
/// A figure that is one set of axes: a title, axis labels, a legend. Subclasses say what is drawn on the axes;
/// this class holds the common look (bundled font, sizes, light grid) and the drawing.
/// </summary>
public abstract class PlotFigure : Figure
{
    public string? XLabel { get; set; }
    public string? YLabel { get; set; }
    public AxisScale XScale { get; set; } = AxisScale.Linear;
    public AxisScale YScale { get; set; } = AxisScale.Linear;
    public LegendPosition Legend { get; set; } = LegendPosition.UpperRight;

    /// <summary>The ScottPlot plot of the last render, kept so tests can map data coordinates to pixels.</summary>
    internal Plot? LastPlot { get; private set; }

    /// <summary>Builds a fresh ScottPlot plot of the figure's content, in axis space (exponents on log axes).</summary>
    internal abstract Plot Build();

    internal sealed override void Draw(SKCanvas canvas, PixelRect area, float scale)
    {
        var plot = Build();
        plot.ScaleFactor = scale;
        canvas.Save();
        canvas.ClipRect(new SKRect(area.Left, area.Top, area.Right, area.Bottom));
        plot.Render(canvas, area);
        canvas.Restore();
        LastPlot?.Dispose();
        LastPlot = plot;
    }

    /// <summary>
    /// A plot with the house style: bundled font, bold title, plain axis labels, light grid, and tick numbers
    /// without thousands separators.
    /// </summary>
    internal Plot NewPlot()
    {
        PlotFonts.EnsureRegistered();
        var plot = new Plot();
        if (!string.IsNullOrEmpty(Title)) plot.Title(Title, 16);
        if (!string.IsNullOrEmpty(XLabel)) plot.XLabel(XLabel, 14);
        if (!string.IsNullOrEmpty(YLabel)) plot.YLabel(YLabel, 14);
        foreach (var axis in new IAxis[] { plot.Axes.Bottom, plot.Axes.Left, plot.Axes.Right })
        {
            axis.Label.Bold = false;
            UsePlainNumbers(axis);
        }
        plot.Grid.MajorLineColor = Colors.Black.WithAlpha(0.08);
        plot.Legend.FontName = PlotFonts.Family;
        plot.Legend.FontSize = 12;
        return plot;
    }

    /// <summary>Tick labels like matplotlib's: 1000 rather than 1,000, 1e-05 for tiny values.</summary>
    internal static void UsePlainNumbers(IAxis axis)
    {
        if (axis.TickGenerator is ScottPlot.TickGenerators.NumericAutomatic automatic) automatic.LabelFormatter = PlainNumber;
    }

    internal static string PlainNumber(double value)
    {
        double magnitude = Math.Abs(value);
        if (magnitude == 0) return "0";
        if (magnitude is >= 1e-4 and < 1e6) return Math.Round(value, 10).ToString("0.##########", System.Globalization.CultureInfo.InvariantCulture);
        return value.ToString("0.###e+00", System.Globalization.CultureInfo.InvariantCulture);
    }

    /// <summary>Shows the legend where asked, if anything on the plot has a legend entry.</summary>
    internal void PlaceLegend(Plot plot)
    {
        if (Legend == LegendPosition.None) return;
        if (!plot.GetPlottables().Any(p => p.LegendItems.Any(i => !string.IsNullOrEmpty(i.LabelText)))) return;
        if (Legend == LegendPosition.OutsideRight)
        {
            plot.ShowLegend(Edge.Right);
            return;
        }
        plot.ShowLegend(Legend switch
        {
            LegendPosition.UpperLeft => Alignment.UpperLeft,
            LegendPosition.LowerLeft => Alignment.LowerLeft,
            LegendPosition.LowerRight => Alignment.LowerRight,
            _ => Alignment.UpperRight,
        });
    }

    /// <summary>Log-axis ticks (10ⁿ / 2ⁿ labels, minor ticks) for the given axis range.</summary>
    internal static void SetLogTicks(IAxis axis, AxisScale scale, double low, double high)
    {
        var generator = new ScottPlot.TickGenerators.NumericManual();
        foreach (var tick in LogTicks.For(scale, low, high))
        {
            if (tick.Label is null) generator.AddMinor(tick.Position);
            else generator.AddMajor(tick.Position, tick.Label);
        }
        axis.TickGenerator = generator;
    }
}

/// <summary>Where the legend sits inside the axes.</summary>
public enum LegendPosition
{
    UpperRight,
    UpperLeft,
    LowerLeft,
    LowerRight,
    /// <summary>Right of the axes, which shrink to make room: for many entries over busy data.</summary>
    OutsideRight,
    None,
}
