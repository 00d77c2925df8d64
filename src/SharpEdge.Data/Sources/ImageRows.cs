using SharpEdge.Data.Formats;

namespace SharpEdge.Data.Sources;

/// <summary>Converts one image's bytes, in its file layout, to normalised channel-major floats.</summary>
public delegate void PixelConverter(ReadOnlySpan<byte> pixels, Span<float> destination);

/// <summary>Gathers the chosen images of a split into one float32 array, [indices.Length, image size].</summary>
internal static class ImageRows
{
    public static float[] Gather(LabelledImages images, ReadOnlySpan<int> indices, PixelConverter convert)
    {
        int size = images.ImageSize;
        if ((long)indices.Length * size > Array.MaxLength)
            throw new InvalidOperationException($"{indices.Length:N0} images of {size} values exceed one float32 array; choose fewer with --num-data");
        var inputs = new float[indices.Length * size];
        var list = indices.ToArray();
        Parallel.For(0, list.Length, k => convert(images.Image(list[k]), inputs.AsSpan(k * size, size)));
        return inputs;
    }

    public static int[] Labels(LabelledImages images, ReadOnlySpan<int> indices, int shift = 0)
    {
        var labels = new int[indices.Length];
        for (int k = 0; k < labels.Length; k++) labels[k] = images.Labels[indices[k]] + shift;
        return labels;
    }

    public static int[] Range(int count) => Enumerable.Range(0, count).ToArray();
}
