namespace SharpEdge.Data.Formats;

/// <summary>
/// Per-channel normalisation of 8-bit images as the EoSS code does it in float32 (eoss_spec §4.2):
/// <c>(x/255 − mean[c]) / std[c]</c>, each operation rounded to float32 like the PyTorch tensor ops. Writers
/// take pixels in the file's layout and always produce channel-major (C, H, W) rows.
/// </summary>
public sealed class ImageNormalization
{
    public ImageNormalization(float[] mean, float[] std)
    {
        if (mean.Length != std.Length || mean.Length == 0) throw new ArgumentException("mean and std need one value per channel");
        Mean = mean;
        Std = std;
    }

    public float[] Mean { get; }
    public float[] Std { get; }
    public int Channels => Mean.Length;

    public static readonly ImageNormalization Cifar10 = new([0.4914f, 0.4822f, 0.4465f], [0.2023f, 0.1994f, 0.2010f]);
    public static readonly ImageNormalization Svhn = new([0.4377f, 0.4438f, 0.4728f], [0.1980f, 0.2010f, 0.1970f]);
    public static readonly ImageNormalization Cinic10 = new([0.47889522f, 0.47227842f, 0.43047404f], [0.24205776f, 0.23828046f, 0.25874835f]);
    public static readonly ImageNormalization ImageNet = new([0.485f, 0.456f, 0.406f], [0.229f, 0.224f, 0.225f]);
    public static readonly ImageNormalization FashionMnist = new([0.2860f], [0.3530f]);

    /// <summary>MNIST's customary statistics (the EoSS code has no MNIST; torchvision's examples use these).</summary>
    public static readonly ImageNormalization Mnist = new([0.1307f], [0.3081f]);

    public float Apply(byte value, int channel) => (value / 255f - Mean[channel]) / Std[channel];

    /// <summary>Images stored channel-major already (CIFAR, ImageNet-32 rows, IDX): element-wise.</summary>
    public void FromPlanar(ReadOnlySpan<byte> pixels, Span<float> destination)
    {
        if (pixels.Length != destination.Length || pixels.Length % Channels != 0)
            throw new ArgumentException($"{pixels.Length} pixels do not fill {destination.Length} values of {Channels} planes");
        int plane = pixels.Length / Channels;
        for (int c = 0; c < Channels; c++)
        {
            float mean = Mean[c], std = Std[c];
            var source = pixels.Slice(c * plane, plane);
            var target = destination.Slice(c * plane, plane);
            for (int i = 0; i < plane; i++) target[i] = (source[i] / 255f - mean) / std;
        }
    }

    /// <summary>
    /// Planes stored column-major (MATLAB's order, SVHN): pixel (h, w) of plane c at <c>c·H·W + w·H + h</c>;
    /// each plane is transposed to row-major.
    /// </summary>
    public void FromColumnMajorPlanes(ReadOnlySpan<byte> pixels, Span<float> destination, int height, int width)
    {
        int plane = height * width;
        if (pixels.Length != destination.Length || pixels.Length != plane * Channels)
            throw new ArgumentException($"{pixels.Length} pixels do not fill {Channels} planes of {height}x{width}");
        for (int c = 0; c < Channels; c++)
        {
            float mean = Mean[c], std = Std[c];
            for (int h = 0; h < height; h++)
            for (int w = 0; w < width; w++)
                destination[c * plane + h * width + w] = (pixels[c * plane + w * height + h] / 255f - mean) / std;
        }
    }

    /// <summary>Interleaved (H, W, C) pixels, as decoded from PNG: transposed to (C, H, W).</summary>
    public void FromInterleaved(ReadOnlySpan<byte> pixels, Span<float> destination)
    {
        if (pixels.Length != destination.Length || pixels.Length % Channels != 0)
            throw new ArgumentException($"{pixels.Length} pixels do not fill {destination.Length} values of {Channels} channels");
        int plane = pixels.Length / Channels;
        for (int p = 0; p < plane; p++)
        for (int c = 0; c < Channels; c++)
            destination[c * plane + p] = (pixels[p * Channels + c] / 255f - Mean[c]) / Std[c];
    }
}
