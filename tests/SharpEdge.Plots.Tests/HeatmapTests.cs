using ScottPlot;

namespace SharpEdge.Plots.Tests;

public sealed class HeatmapTests
{
    private static readonly double[] Grid = [0.125, 0.25, 0.5, 1, 2, 4];

    /// <summary>The rendered colour at the centre of cell (i, j) of the last render.</summary>
    private static SkiaSharp.SKColor CellColour(HeatmapFigure figure, Raster raster, int i, int j)
    {
        var pixel = figure.LastPlot!.GetPixel(new Coordinates(figure.XScale.ToAxis(Grid[i]), figure.YScale.ToAxis(Grid[j])));
        return raster[(int)Math.Round(pixel.X), (int)Math.Round(pixel.Y)];
    }

    private static void AssertColour(Color expected, SkiaSharp.SKColor actual, string what)
    {
        int diff = Math.Max(Math.Abs(expected.R - actual.Red), Math.Max(Math.Abs(expected.G - actual.Green), Math.Abs(expected.B - actual.Blue)));
        Assert.True(diff <= 3, $"{what}: expected {expected.ToHex()}, got #{actual.Red:X2}{actual.Green:X2}{actual.Blue:X2}");
    }

    [Fact]
    public void CellColoursFollowTheColormapAtFixedLimits()
    {
        var values = new double[6, 6];
        for (int j = 0; j < 6; j++)
            for (int i = 0; i < 6; i++)
                values[j, i] = 0.5;
        values[1, 2] = 2.5;          // a quarter of the way up the colour range
        values[4, 1] = 7.5;          // three quarters
        values[3, 5] = 15;           // above the top: clipped to the top colour
        values[0, 0] = -3;           // below the bottom: bottom colour
        values[5, 3] = double.NaN;   // blank
        var figure = new HeatmapFigure(Grid, Grid, values)
        {
            XScale = AxisScale.Log2, YScale = AxisScale.Log2, ColorLimits = (0, 10), Colormap = HeatmapColormap.Inferno, Width = 500, Height = 400,
        };
        using var raster = new Raster(figure.ToPng());
        var inferno = new ScottPlot.Colormaps.Inferno();
        AssertColour(inferno.GetColor(0.25), CellColour(figure, raster, 2, 1), "value 2.5 of (0, 10)");
        AssertColour(inferno.GetColor(0.75), CellColour(figure, raster, 1, 4), "value 7.5 of (0, 10)");
        AssertColour(inferno.GetColor(1), CellColour(figure, raster, 5, 3), "value above the limits");
        AssertColour(inferno.GetColor(0), CellColour(figure, raster, 0, 0), "value below the limits");
        AssertColour(Colors.White, CellColour(figure, raster, 3, 5), "NaN cell");
    }

    [Fact]
    public void LogColourScaleSpacesColoursByDecades()
    {
        var values = new double[6, 6];
        for (int j = 0; j < 6; j++)
            for (int i = 0; i < 6; i++)
                values[j, i] = 1e-7;
        values[2, 3] = 1e-4;         // the middle decade of (1e-7, 1e-1)
        values[5, 5] = 1e-2;         // five of six decades
        var figure = new HeatmapFigure(Grid, Grid, values)
        {
            XScale = AxisScale.Log2, YScale = AxisScale.Log2, LogColor = true, ColorLimits = (1e-7, 1e-1), Colormap = HeatmapColormap.Viridis,
        };
        using var raster = new Raster(figure.ToPng());
        var viridis = new ScottPlot.Colormaps.Viridis();
        AssertColour(viridis.GetColor(0.5), CellColour(figure, raster, 3, 2), "1e-4 in LogNorm(1e-7, 1e-1)");
        AssertColour(viridis.GetColor(5 / 6.0), CellColour(figure, raster, 5, 5), "1e-2 in LogNorm(1e-7, 1e-1)");
        AssertColour(viridis.GetColor(0), CellColour(figure, raster, 0, 0), "1e-7 at the bottom");
        // the colour bar is labelled by decades
        string svg = figure.ToSvg();
        foreach (string label in new[] { "10⁻⁷", "10⁻⁴", "10⁻¹" }) Assert.Contains($">{label}<", svg.Replace("\n", "").Replace("\t", ""));
    }

    [Fact]
    public void AxesEndAtTheOuterCellEdgesWithPowerOfTwoTicks()
    {
        var values = new double[6, 6];
        var figure = new HeatmapFigure(Grid, Grid, values) { XScale = AxisScale.Log2, YScale = AxisScale.Log2 };
        figure.ToPng();
        var limits = figure.LastPlot!.Axes.GetLimits();
        Assert.Equal(-3.5, limits.Left, 9);
        Assert.Equal(2.5, limits.Right, 9);
        var labels = figure.LastPlot.Axes.Bottom.TickGenerator.Ticks.Where(t => t.IsMajor).Select(t => t.Label).ToArray();
        Assert.Equal(["2⁻³", "2⁻²", "2⁻¹", "2⁰", "2¹", "2²"], labels);
    }

    [Fact]
    public void UnevenOrMisshapenGridsAreRejected()
    {
        var uneven = new HeatmapFigure([1, 2, 3], [1, 2], new double[2, 3]) { XScale = AxisScale.Log2 };
        Assert.Contains("evenly spaced", Assert.Throws<ArgumentException>(() => uneven.ToPng()).Message);
        Assert.Contains("rows go with y", Assert.Throws<ArgumentException>(() => new HeatmapFigure([1, 2, 3], [1, 2], new double[3, 2])).Message);
        var negative = new HeatmapFigure([-1, 0, 1], [1, 2], new double[2, 3]) { XScale = AxisScale.Log10 };
        Assert.Contains("cannot be placed", Assert.Throws<ArgumentException>(() => negative.ToPng()).Message);
        var badLimits = new HeatmapFigure([1, 2], [1, 2], new double[2, 2]) { LogColor = true, ColorLimits = (0, 1) };
        Assert.Contains("positive", Assert.Throws<ArgumentException>(() => badLimits.ToPng()).Message);
    }

    [Fact]
    public void ContoursAndOverlaysRender()
    {
        var values = new double[6, 6];
        var fraction = new double[6, 6];
        var mask = new bool[6, 6];
        for (int j = 0; j < 6; j++)
            for (int i = 0; i < 6; i++)
            {
                values[j, i] = i + j;
                fraction[j, i] = i / 5.0;
                mask[j, i] = i + j < 2;
            }
        var figure = new HeatmapFigure(Grid, Grid, values) { XScale = AxisScale.Log2, YScale = AxisScale.Log2 }
            .AddContour(new Contour([0.68, 0.95]) { Field = fraction, Mask = mask, LevelColors = ["#ff00ff", "#00ffff"], Label = "68 %" })
            .AddVerticalLine(new ReferenceLine(Math.Sqrt(2)) { Color = PlotColors.White, To = 0.87 })
            .Add(new Series("T_c", [0.25, 1], [0.5, 0.5]) { LineWidth = 0, MarkerSize = 6 });
        using var raster = new Raster(figure.ToPng());
        // the 0.68 contour runs at column 3.4, i.e. x = 0.125·2^3.4; sample it halfway up
        var pixel = figure.LastPlot!.GetPixel(new Coordinates(Math.Log2(0.125) + 3.4, Math.Log2(0.5)));
        var colour = raster[(int)Math.Round(pixel.X), (int)Math.Round(pixel.Y)];
        Assert.True(colour.Red > 200 && colour.Green < 80 && colour.Blue > 200, $"expected the magenta contour, got {colour}");
    }
}
