using SharpEdge.Data.Formats;

namespace SharpEdge.Data.Tests;

/// <summary>Whole data sets in miniature, in the layouts the loaders read, with the raw pixels kept for checking.</summary>
public static class DataFiles
{
    public const int CifarPerBatch = 30, CifarTest = 20;

    /// <summary>cifar-10-batches-py under <paramref name="folder"/>: five batches of 30 and a test batch of 20; labels i mod 10.</summary>
    public static (byte[] Train, int[] TrainLabels, byte[] Test, int[] TestLabels) Cifar(string folder, bool binary = false)
    {
        var dir = Path.Combine(folder, binary ? "cifar-10-batches-bin" : "cifar-10-batches-py");
        Directory.CreateDirectory(dir);
        var train = FormatWriters.Pixels(5 * CifarPerBatch * 3072, 10);
        var trainLabels = Enumerable.Range(0, 5 * CifarPerBatch).Select(i => (i * 7) % 10).ToArray();
        for (int b = 0; b < 5; b++)
        {
            var pixels = train.AsSpan(b * CifarPerBatch * 3072, CifarPerBatch * 3072).ToArray();
            var labels = trainLabels.AsSpan(b * CifarPerBatch, CifarPerBatch).ToArray();
            var name = $"data_batch_{b + 1}";
            File.WriteAllBytes(Path.Combine(dir, binary ? name + ".bin" : name),
                binary ? FormatWriters.CifarBinary(pixels, labels) : FormatWriters.CifarPickle(pixels, labels));
        }
        var test = FormatWriters.Pixels(CifarTest * 3072, 11);
        var testLabels = Enumerable.Range(0, CifarTest).Select(i => i % 10).ToArray();
        File.WriteAllBytes(Path.Combine(dir, binary ? "test_batch.bin" : "test_batch"),
            binary ? FormatWriters.CifarBinary(test, testLabels) : FormatWriters.CifarPickle(test, testLabels));
        return (train, trainLabels, test, testLabels);
    }

    /// <summary>The four IDX files (gzip) of an MNIST-like set with the given sizes.</summary>
    public static void Idx(string folder, int train, int test)
    {
        Directory.CreateDirectory(folder);
        Formats.Idx.Write(Path.Combine(folder, "train-images-idx3-ubyte.gz"), FormatWriters.Pixels(train * 784, 20), [train, 28, 28]);
        Formats.Idx.Write(Path.Combine(folder, "train-labels-idx1-ubyte.gz"), Enumerable.Range(0, train).Select(i => (byte)(i % 10)).ToArray(), [train]);
        Formats.Idx.Write(Path.Combine(folder, "t10k-images-idx3-ubyte.gz"), FormatWriters.Pixels(test * 784, 21), [test, 28, 28]);
        Formats.Idx.Write(Path.Combine(folder, "t10k-labels-idx1-ubyte.gz"), Enumerable.Range(0, test).Select(i => (byte)(i % 10)).ToArray(), [test]);
    }

    /// <summary>The expected CIFAR-10 row of raw image <paramref name="index"/>.</summary>
    public static float[] CifarRow(byte[] pixels, int index)
    {
        var row = new float[3072];
        ImageNormalization.Cifar10.FromPlanar(pixels.AsSpan(index * 3072, 3072), row);
        return row;
    }
}
