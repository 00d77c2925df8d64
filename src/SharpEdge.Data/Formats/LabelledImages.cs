namespace SharpEdge.Data.Formats;

/// <summary>
/// Raw 8-bit images and their labels as a file holds them, before normalisation: <see cref="Pixels"/> is
/// [N, <see cref="ImageSize"/>] in the file's own per-image layout (noted by each reader).
/// </summary>
public sealed record LabelledImages(byte[] Pixels, int[] Labels, int ImageSize)
{
    public int Count => Labels.Length;

    public ReadOnlySpan<byte> Image(int index) => Pixels.AsSpan(index * ImageSize, ImageSize);

    public static LabelledImages Concatenate(IReadOnlyList<LabelledImages> parts)
    {
        if (parts.Count == 1) return parts[0];
        int size = parts[0].ImageSize;
        if (parts.Any(p => p.ImageSize != size)) throw new InvalidDataException("batches hold images of different sizes");
        long total = parts.Sum(p => (long)p.Pixels.Length);
        if (total > Array.MaxLength) throw new InvalidDataException($"{total:N0} bytes of images exceed one array; load a subset");
        var pixels = new byte[total];
        var labels = new int[parts.Sum(p => p.Count)];
        int offset = 0, count = 0;
        foreach (var part in parts)
        {
            part.Pixels.CopyTo(pixels, offset);
            part.Labels.CopyTo(labels, count);
            offset += part.Pixels.Length;
            count += part.Count;
        }
        return new LabelledImages(pixels, labels, size);
    }
}
