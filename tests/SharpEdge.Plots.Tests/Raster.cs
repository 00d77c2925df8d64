using SkiaSharp;

namespace SharpEdge.Plots.Tests;

/// <summary>A decoded PNG with the pixel queries the tests need.</summary>
public sealed class Raster : IDisposable
{
    private readonly SKBitmap bitmap;

    public Raster(byte[] png)
    {
        Assert.True(png.Length > 8 && png.AsSpan(0, 8).SequenceEqual(PngSignature), "not a PNG (bad signature)");
        bitmap = SKBitmap.Decode(png) ?? throw new InvalidOperationException("PNG did not decode");
    }

    public static ReadOnlySpan<byte> PngSignature => [0x89, (byte)'P', (byte)'N', (byte)'G', 0x0D, 0x0A, 0x1A, 0x0A];

    public int Width => bitmap.Width;
    public int Height => bitmap.Height;

    public SKColor this[int x, int y] => bitmap.GetPixel(x, y);

    /// <summary>Pixels darker than mid-grey in rows [top, bottom).</summary>
    public int DarkPixels(int top, int bottom)
    {
        int count = 0;
        for (int y = Math.Max(0, top); y < Math.Min(Height, bottom); y++)
            for (int x = 0; x < Width; x++)
            {
                var c = bitmap.GetPixel(x, y);
                if (0.299 * c.Red + 0.587 * c.Green + 0.114 * c.Blue < 128) count++;
            }
        return count;
    }

    /// <summary>
    /// Whether pixel (x, y) is <paramref name="colour"/> ("#rrggbb") laid over white at opacity ≥ 0.5: anti-aliased
    /// lines that fall between two pixel rows are blended into the background on both.
    /// </summary>
    public bool IsInk(int x, int y, string colour)
    {
        var target = SKColor.Parse(colour);
        var c = bitmap.GetPixel(x, y);
        double[] towardTarget = [255 - target.Red, 255 - target.Green, 255 - target.Blue];
        double[] towardPixel = [255 - c.Red, 255 - c.Green, 255 - c.Blue];
        double alpha = towardTarget.Zip(towardPixel, (t, p) => t * p).Sum() / towardTarget.Sum(t => t * t);
        double residual = towardTarget.Zip(towardPixel, (t, p) => Math.Abs(p - alpha * t)).Sum();
        return alpha >= 0.5 && residual <= 40;
    }

    /// <summary>Share of the pixels of row <paramref name="y"/> ±<paramref name="slack"/>, columns [left, right), inked in <paramref name="colour"/> (any of the rows).</summary>
    public double RowShare(int y, int left, int right, string colour, int slack = 0)
    {
        int hits = 0;
        for (int x = left; x < right; x++)
            for (int r = Math.Max(0, y - slack); r <= Math.Min(Height - 1, y + slack); r++)
                if (IsInk(x, r, colour)) { hits++; break; }
        return (double)hits / (right - left);
    }

    public void Dispose() => bitmap.Dispose();
}
