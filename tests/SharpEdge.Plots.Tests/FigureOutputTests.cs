using System.Buffers.Binary;
using System.Xml.Linq;

namespace SharpEdge.Plots.Tests;

public sealed class FigureOutputTests : IDisposable
{
    private readonly string folder = Path.Combine(Path.GetTempPath(), "sharpedge-plots-" + Guid.NewGuid().ToString("N"));

    public void Dispose()
    {
        if (Directory.Exists(folder)) Directory.Delete(folder, recursive: true);
    }

    private static LineFigure Sample() =>
        new LineFigure { Title = "Sharpness at the edge", XLabel = "steps", YLabel = "λ_max", Width = 400, Height = 300 }
            .Add(new Series("λ_max", [0, 1, 2, 3], [1, 3, 2, 4]) { Errors = [0.1, 0.2, 0.1, 0.3] })
            .AddHorizontalLine(new ReferenceLine(2.5, "2/η"));

    [Fact]
    public void PngIsWrittenAtTheRequestedSizeAndDecodes()
    {
        string path = Path.Combine(folder, "nested", "figure.png");
        Sample().Save(path, scale: 1.5);
        byte[] png = File.ReadAllBytes(path);
        // IHDR: width and height are the first two big-endian words after the 8-byte signature and chunk header
        Assert.Equal(600, BinaryPrimitives.ReadInt32BigEndian(png.AsSpan(16)));
        Assert.Equal(450, BinaryPrimitives.ReadInt32BigEndian(png.AsSpan(20)));
        using var raster = new Raster(png);
        Assert.Equal((600, 450), (raster.Width, raster.Height));
        Assert.Equal(["figure.png"], Directory.GetFiles(Path.GetDirectoryName(path)!).Select(Path.GetFileName)); // no temporary left
    }

    [Fact]
    public void SvgIsWellFormedAndCarriesTheTextAsText()
    {
        string path = Path.Combine(folder, "figure.svg");
        Sample().Save(path);
        var svg = XDocument.Load(path);
        XNamespace ns = "http://www.w3.org/2000/svg";
        Assert.Equal(ns + "svg", svg.Root!.Name);
        Assert.Equal("400", svg.Root.Attribute("width")!.Value);
        var texts = svg.Descendants(ns + "text").Select(t => t.Value.Trim()).ToList();
        Assert.Contains("Sharpness at the edge", texts);
        Assert.Contains("steps", texts);
        Assert.Contains("2/η", texts);
    }

    [Fact]
    public void UnknownExtensionIsRefused()
    {
        var error = Assert.Throws<ArgumentException>(() => Sample().Save(Path.Combine(folder, "figure.pdf")));
        Assert.Contains(".png or .svg", error.Message);
    }

    [Fact]
    public void TitleIsDrawnAsPixels()
    {
        // Without a usable font ScottPlot draws no text and reports nothing: the strip above the axes would be
        // blank (or missing, as empty text measures zero height).
        var figure = new LineFigure { Title = "Edge of Stochastic Stability", Width = 400, Height = 300 };
        using var raster = new Raster(figure.ToPng());
        int titleBottom = (int)figure.LastPlot!.LastRender.DataRect.Top;
        Assert.InRange(titleBottom, 20, 100);
        Assert.True(raster.DarkPixels(0, titleBottom - 2) > 150, $"only {raster.DarkPixels(0, titleBottom - 2)} dark pixels in the title strip");
    }

    [Fact]
    public void MultiPanelFigureDrawsItsTitleAndEveryPanel()
    {
        var grid = new MultiPanelFigure(1, 2, panelWidth: 300, panelHeight: 250) { Title = "Two panels" };
        grid[0, 0] = Sample();
        grid[0, 1] = new HeatmapFigure([1, 2], [1, 2], new double[,] { { 0, 1 }, { 2, 3 } }) { Title = "cells" };
        using var raster = new Raster(grid.ToPng());
        Assert.Equal((600, 250), (raster.Width, raster.Height));
        Assert.True(raster.DarkPixels(0, 30) > 100, "no title drawn above the panels");
        Assert.Contains("Two panels", grid.ToSvg());
        Assert.Contains("Sharpness at the edge", grid.ToSvg());
        Assert.Throws<ArgumentOutOfRangeException>(() => grid[1, 0] = Sample());
    }

    [Fact]
    public void BundledFontsAreFoundNextToTheAssembly()
    {
        Assert.True(File.Exists(Path.Combine(PlotFonts.Folder, PlotFonts.RegularFile)));
        Assert.True(File.Exists(Path.Combine(PlotFonts.Folder, PlotFonts.BoldFile)));
        PlotFonts.EnsureRegistered();
        PlotFonts.EnsureRegistered(); // idempotent
        Assert.Equal(PlotFonts.Family, ScottPlot.Fonts.Default);
        var bold = ScottPlot.Fonts.GetTypeface(PlotFonts.Family, bold: true, italic: false);
        Assert.Equal("DejaVu Sans", bold.FamilyName);
        Assert.True(bold.IsBold);
    }

    // Skia's SVG canvas cannot dash a stroke (it drew dashes solid and said so on stderr): the SVG carries each dashed
    // line's colour and pattern as stroke-dasharray, legend swatch included, and the markers of a dashed series keep
    // the series' colour; no stand-in colour is left, and solid lines stay plain.
    [Fact]
    public void Svg_lines_keep_their_dashes_and_colours()
    {
        var figure = new LineFigure()
            .Add(new Series("solid", [0, 1, 2], [1, 2, 3]) { Color = "#1F77B4" })
            .Add(new Series("dash-dot with markers", [0, 1, 2], [3, 2, 1]) { Color = "#FF7F0E", Dash = LineDash.DashDot, MarkerSize = 5 })
            .AddHorizontalLine(new ReferenceLine(2.5, "2/η") { Color = "#2CA02C" });   // dashed by default
        string svg = figure.ToSvg();
        Assert.Contains("stroke=\"#FF7F0E\" stroke-dasharray=\"10 4 2 4\"", svg);
        Assert.Contains("stroke=\"#2CA02C\" stroke-dasharray=\"10 10\"", svg);
        Assert.DoesNotContain("stroke=\"#1F77B4\" stroke-dasharray", svg);
        Assert.Contains("stroke=\"#1F77B4\"", svg);
        Assert.Contains("fill=\"#FF7F0E\"", svg);   // the markers
        Assert.DoesNotContain("F1D2", svg);
        // line and legend swatch of each dashed style
        Assert.True(Count(svg, "stroke-dasharray=\"10 4 2 4\"") >= 2);
        Assert.True(Count(svg, "stroke-dasharray=\"10 10\"") >= 2);
        Assert.Null(SvgDashes.Current);   // the session ended with the figure
    }

    private static int Count(string text, string part) => (text.Length - text.Replace(part, "", StringComparison.Ordinal).Length) / part.Length;
}
