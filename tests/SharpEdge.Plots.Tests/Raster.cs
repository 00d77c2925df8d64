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

    public void Dispose() => bitmap.Dispose();
}
