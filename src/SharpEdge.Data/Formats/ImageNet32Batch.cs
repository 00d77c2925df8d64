namespace SharpEdge.Data.Formats;

/// <summary>
/// The downsampled-ImageNet batches of Chrabaszcz, Loshchilov and Hutter (2017), 32×32 variant
/// (<c>train_data_batch_1..10</c>, <c>val_data</c>): pickled dicts with <c>data</c> uint8 (N, 3072), each row the
/// red, green and blue planes like CIFAR, and <c>labels</c> 1..1000 (eoss_spec §4.2). Labels are returned as
/// in the file; the data set shifts them to 0..999.
/// </summary>
public static class ImageNet32Batch
{
    public const int ImageSize = 3 * 32 * 32;
    public const int Classes = 1000;

    public static LabelledImages Read(string path)
    {
        var (pixels, labels) = NumpyPickle.ReadImageBatch(path, ImageSize);
        for (int i = 0; i < labels.Length; i++)
            if (labels[i] is < 1 or > Classes) throw new InvalidDataException($"{path}: label {labels[i]} of image {i} is outside 1..1000");
        return new LabelledImages(pixels, labels, ImageSize);
    }
}
