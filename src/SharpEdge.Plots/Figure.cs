using System.Text;
using ScottPlot;
using SkiaSharp;

namespace SharpEdge.Plots;

/// <summary>
/// Something that can be drawn into a rectangle and saved as PNG or SVG. <see cref="Width"/> and
/// <see cref="Height"/> are in pixels at scale 1; <c>scale</c> multiplies the pixel count and everything drawn
/// (2 for a sharper image of the same layout, like a higher DPI).
/// </summary>
public abstract class Figure
{
    private int width = 640, height = 480;

    public string? Title { get; set; }

    public int Width
    {
        get => width;
        set => width = value is >= 16 and <= 20_000 ? value : throw new ArgumentOutOfRangeException(nameof(Width), value, "figure width must be 16 to 20000 pixels");
    }

    public int Height
    {
        get => height;
        set => height = value is >= 16 and <= 20_000 ? value : throw new ArgumentOutOfRangeException(nameof(Height), value, "figure height must be 16 to 20000 pixels");
    }

    /// <summary>
    /// Writes the figure as PNG or SVG, chosen by the extension (.png, .svg). The file appears atomically (temporary
    /// file, then rename) and its folder is created if needed.
    /// </summary>
    public void Save(string path, double scale = 1)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(path);
        string extension = Path.GetExtension(path).ToLowerInvariant();
        byte[] bytes = extension switch
        {
            ".png" => ToPng(scale),
            ".svg" => Encoding.UTF8.GetBytes(ToSvg(scale)),
            _ => throw new ArgumentException($"cannot save a figure as '{Path.GetFileName(path)}': the extension must be .png or .svg", nameof(path)),
        };
        FigureFile.Write(path, bytes);
    }

    public byte[] ToPng(double scale = 1)
    {
        var (w, h) = PixelSize(scale);
        using var surface = SKSurface.Create(new SKImageInfo(w, h, SKColorType.Rgba8888, SKAlphaType.Premul))
            ?? throw new InvalidOperationException($"could not allocate a {w}x{h} image");
        surface.Canvas.Clear(SKColors.White);
        DrawChecked(surface.Canvas, new PixelRect(0, w, h, 0), (float)scale);
        using var image = surface.Snapshot();
        using var data = image.Encode(SKEncodedImageFormat.Png, 100);
        return data.ToArray();
    }

    public string ToSvg(double scale = 1)
    {
        var (w, h) = PixelSize(scale);
        using var stream = new MemoryStream();
        using var dashes = SvgDashes.Begin();   // Skia's SVG canvas cannot dash: see SvgDashes
        using (var canvas = SKSvgCanvas.Create(new SKRect(0, 0, w, h), stream))
        {
            canvas.Clear(SKColors.White);
            DrawChecked(canvas, new PixelRect(0, w, h, 0), (float)scale);
        }
        return dashes.Apply(Encoding.UTF8.GetString(stream.ToArray()));
    }

    /// <summary>Draws the figure into <paramref name="area"/> (device pixels) of the canvas.</summary>
    internal abstract void Draw(SKCanvas canvas, PixelRect area, float scale);

    private void DrawChecked(SKCanvas canvas, PixelRect area, float scale)
    {
        PlotFonts.EnsureRegistered();
        Draw(canvas, area, scale);
    }

    private (int Width, int Height) PixelSize(double scale)
    {
        if (!(scale is > 0 and <= 16)) throw new ArgumentOutOfRangeException(nameof(scale), scale, "scale must be in (0, 16]");
        return ((int)Math.Round(Width * scale), (int)Math.Round(Height * scale));
    }
}
