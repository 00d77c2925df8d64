namespace SharpEdge.Plots.Tests;

public sealed class AxisAndSeriesTests
{
    private static string[] MajorLabels(ScottPlot.IAxis axis) =>
        axis.TickGenerator.Ticks.Where(t => t.IsMajor).Select(t => t.Label).ToArray();

    [Fact]
    public void LogAxesAreLabelledWithPowers()
    {
        double[] x = [1e-3, 1e-2, 1e-1, 1, 10, 100];
        double[] y = [1e-8, 1e-6, 1e-4, 1e-2, 1, 1e2];
        var figure = new LineFigure { XScale = AxisScale.Log10, YScale = AxisScale.Log10 }.Add(new Series("loss", x, y));
        figure.ToPng();
        Assert.Equal(["10⁻³", "10⁻²", "10⁻¹", "10⁰", "10¹", "10²"], MajorLabels(figure.LastPlot!.Axes.Bottom));
        // eleven decades on y: every other power is labelled
        Assert.Equal(["10⁻⁸", "10⁻⁶", "10⁻⁴", "10⁻²", "10⁰", "10²"], MajorLabels(figure.LastPlot.Axes.Left));
        // minor ticks at 2..9 × 10ⁿ only where every decade is labelled
        var minor = figure.LastPlot.Axes.Bottom.TickGenerator.Ticks.Where(t => !t.IsMajor).Select(t => t.Position).ToArray();
        Assert.Contains(minor, p => Math.Abs(p - Math.Log10(20)) < 1e-12);
        string svg = figure.ToSvg();
        Assert.Contains("10⁻³", svg);
        Assert.Contains("10²", svg);
    }

    [Fact]
    public void XTicksSitAtTheGivenValuesWithPlainLabels()
    {
        var figure = new LineFigure { XScale = AxisScale.Log2, XTicks = [0.05, 0.1, 0.2] }.Add(new Series("λ", [0.05, 0.1, 0.2], [3, 2, 1]));
        figure.ToPng();
        Assert.Equal(["0.05", "0.1", "0.2"], MajorLabels(figure.LastPlot!.Axes.Bottom));
        var positions = figure.LastPlot.Axes.Bottom.TickGenerator.Ticks.Where(t => t.IsMajor).Select(t => t.Position).ToArray();
        Assert.Equal(Math.Log2(0.05), positions[0], 12);
        Assert.Equal(Math.Log2(0.2), positions[2], 12);
    }

    [Fact]
    public void NarrowLogRangeFallsBackToPlainNumbers()
    {
        var ticks = LogTicks.For(AxisScale.Log10, Math.Log10(15), Math.Log10(80));
        // 1-2-5 would give only 20 and 50, so every mantissa is used
        Assert.Equal(["20", "30", "40", "50", "60", "70", "80"], ticks.Select(t => t.Label));
        Assert.All(ticks, t => Assert.InRange(t.Position, Math.Log10(15), Math.Log10(80)));
        Assert.Equal("2⁻¹²", LogTicks.Power(2, -12));
    }

    [Fact]
    public void LimitsAndReferenceLinesUseDataUnits()
    {
        double lr = 0.01;
        var figure = new LineFigure { YLimits = (1, 4 / lr), XLimits = (0, 10) }
            .Add(new Series("sharpness", [0, 5, 10], [10, 150, 190]))
            .AddHorizontalLine(new ReferenceLine(2 / lr, "2/η"));
        figure.ToPng();
        var limits = figure.LastPlot!.Axes.GetLimits();
        Assert.Equal((0, 10, 1, 400), (limits.Left, limits.Right, limits.Bottom, limits.Top));
        Assert.Contains(figure.LastPlot.GetPlottables().SelectMany(p => p.LegendItems), i => i.LabelText == "2/η");
    }

    [Fact]
    public void NonPositiveValuesBreakALogLineInsteadOfFailing()
    {
        var figure = new LineFigure { YScale = AxisScale.Log10 }
            .Add(new Series("loss", [0, 1, 2, 3, 4], [1, 0.1, 0, double.NaN, 0.01]));
        figure.ToPng();
        var lines = figure.LastPlot!.GetPlottables().OfType<ScottPlot.Plottables.Scatter>().ToList();
        Assert.Equal(2, lines.Count);
        Assert.Single(figure.LastPlot.GetPlottables().SelectMany(p => p.LegendItems), i => i.LabelText == "loss");
    }

    [Fact]
    public void SeriesAreValidatedUpFront()
    {
        var figure = new LineFigure();
        Assert.Contains("3 x values but 2 y values", Assert.Throws<ArgumentException>(() => figure.Add(new Series("a", [1, 2, 3], [1, 2]))).Message);
        Assert.Contains("either Errors or Lower/Upper", Assert.Throws<ArgumentException>(() => figure.Add(new Series("a", [1], [1]) { Errors = [1], Lower = [0], Upper = [2] })).Message);
        Assert.Contains("not a hex colour", Assert.Throws<ArgumentException>(() => new LineFigure().Add(new Series("a", [1], [1]) { Color = "red" }).ToPng()).Message);
    }

    [Fact]
    public void RollingMeanMatchesPandas()
    {
        double[] values = [1, 2, 3, 4, 5, 6, 7];
        // pandas: Series(values).rolling(4, center=True, min_periods=1).mean()
        Assert.Equal([1.5, 2.0, 2.5, 3.5, 4.5, 5.5, 6.0], RollingMean.Of(values, 4, centered: true));
        // rolling(3, center=True, min_periods=1)
        Assert.Equal([1.5, 2, 3, 4, 5, 6, 6.5], RollingMean.Of(values, 3, centered: true));
        // NaNs are skipped; min_periods counts finite values
        double[] gappy = [1, double.NaN, 3, 4];
        Assert.Equal([1, 1, 2, 3.5], RollingMean.Of(gappy, 3));
        var strict = RollingMean.Of(gappy, 3, minPeriods: 2);
        Assert.True(double.IsNaN(strict[0]) && double.IsNaN(strict[1]));
        Assert.Equal([2, 3.5], strict[2..]);
    }
}

public sealed class PointMarkerTests
{
    [Fact]
    public void A_horizontal_bar_marker_is_wide_and_flat()
    {
        const string red = "#d62728";
        var figure = new LineFigure { Width = 400, Height = 300, XLimits = (0, 4), YLimits = (0, 10) }
            .Add(new Series("2/η", [1, 3], [5, 5]) { Color = red, Marker = PointMarker.HorizontalBar, MarkerSize = 16, LineWidth = 0 });
        using var raster = new Raster(figure.ToPng());
        foreach (var x in new[] { 1.0, 3.0 })
        {
            var centre = figure.LastPlot!.GetPixel(new ScottPlot.Coordinates(x, 5));
            int cx = (int)Math.Round(centre.X), cy = (int)Math.Round(centre.Y);
            // ink 5 px either side of the point on its row (any of the two rows an anti-aliased stroke covers), none 5 px above or below
            Assert.True(raster.RowShare(cy, cx - 5, cx + 6, red, slack: 1) > 0.9, $"no bar through x = {x}");
            Assert.False(raster.IsInk(cx, cy - 5, red) || raster.IsInk(cx, cy + 5, red), $"the marker at x = {x} is not flat");
        }
        // no line joins the two markers (line width 0)
        var middle = figure.LastPlot!.GetPixel(new ScottPlot.Coordinates(2, 5));
        Assert.False(raster.IsInk((int)Math.Round(middle.X), (int)Math.Round(middle.Y), red));
    }
}

public sealed class LegendPlacementTests
{
    [Fact]
    public void A_legend_outside_on_the_right_leaves_the_data_area_free()
    {
        const string blue = "#1f77b4";
        LineFigure Figure(LegendPosition legend) => new LineFigure { Width = 600, Height = 400, Legend = legend, XLimits = (0, 1), YLimits = (0, 1) }
            .Add(new Series("a long legend entry, batch sharpness, lr=0.05", [0, 1], [0.95, 0.95]) { Color = blue, LineWidth = 3 });
        // inside, the legend box covers the line near the upper right corner; outside, the line runs to the axes' edge
        var inside = Figure(LegendPosition.UpperRight);
        using var insideRaster = new Raster(inside.ToPng());
        var outside = Figure(LegendPosition.OutsideRight);
        using var outsideRaster = new Raster(outside.ToPng());
        var end = outside.LastPlot!.GetPixel(new ScottPlot.Coordinates(0.98, 0.95));
        Assert.True(outsideRaster.IsInk((int)end.X, (int)Math.Round(end.Y), blue), "the line is hidden near the right edge");
        var covered = inside.LastPlot!.GetPixel(new ScottPlot.Coordinates(0.98, 0.95));
        Assert.False(insideRaster.IsInk((int)covered.X, (int)Math.Round(covered.Y), blue), "the inside legend should cover the line there");
        Assert.True(end.X < covered.X, "an outside legend takes width from the axes");
    }
}
