namespace SharpEdge.Data.Formats;

/// <summary>
/// CIFAR-10's two official batch formats (https://www.cs.toronto.edu/~kriz/cifar.html), both with each image
/// as 3072 bytes: the 1024 red, then green, then blue values of the 32×32 image, row-major (channel-major
/// already, so no transpose is needed).
/// <list type="bullet">
/// <item>python (<c>cifar-10-batches-py/data_batch_1..5</c>, <c>test_batch</c>): a pickled dict with
/// <c>data</c> uint8 (10000, 3072) and <c>labels</c>, a list of 0..9.</item>
/// <item>binary (<c>cifar-10-batches-bin/data_batch_1..5.bin</c>, <c>test_batch.bin</c>): records of one label
/// byte followed by the 3072 pixel bytes.</item>
/// </list>
/// </summary>
public static class CifarBatch
{
    public const int ImageSize = 3 * 32 * 32;
    public const int Classes = 10;

    public static LabelledImages ReadPickle(string path)
    {
        var (pixels, labels) = NumpyPickle.ReadImageBatch(path, ImageSize);
        CheckLabels(labels, path);
        return new LabelledImages(pixels, labels, ImageSize);
    }

    public static LabelledImages ReadBinary(string path)
    {
        const int record = ImageSize + 1;
        var bytes = File.ReadAllBytes(path);
        if (bytes.Length == 0 || bytes.Length % record != 0)
            throw new InvalidDataException($"{path}: {bytes.Length} bytes is not a whole number of {record}-byte CIFAR-10 records (truncated?)");
        int n = bytes.Length / record;
        var pixels = new byte[n * ImageSize];
        var labels = new int[n];
        for (int i = 0; i < n; i++)
        {
            labels[i] = bytes[i * record];
            bytes.AsSpan(i * record + 1, ImageSize).CopyTo(pixels.AsSpan(i * ImageSize));
        }
        CheckLabels(labels, path);
        return new LabelledImages(pixels, labels, ImageSize);
    }

    private static void CheckLabels(int[] labels, string path)
    {
        for (int i = 0; i < labels.Length; i++)
            if ((uint)labels[i] >= Classes) throw new InvalidDataException($"{path}: label {labels[i]} of image {i} is outside 0..9");
    }
}
