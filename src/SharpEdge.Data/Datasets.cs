using System.Numerics;
using SharpEdge.Nn;

namespace SharpEdge.Data;

/// <summary>A labelled image data set held in memory as float, already normalised.</summary>
public sealed record Dataset(string Name, float[] TrainInputs, int[] TrainLabels, float[] TestInputs, int[] TestLabels, int[] InputShape, int Classes)
{
    public int InputSize => InputShape.Aggregate(1, (a, b) => a * b);
    public int TrainCount => TrainLabels.Length;

    /// <summary>
    /// Training samples as the loss wants them: one-hot targets for MSE, labels for CE; the first
    /// <paramref name="count"/> samples (0 = all).
    /// </summary>
    public Samples<T> Train<T>(string loss, int count = 0) where T : unmanaged, IFloatingPointIeee754<T> =>
        ToSamples<T>(TrainInputs, TrainLabels, loss, count);

    public Samples<T> Test<T>(string loss, int count = 0) where T : unmanaged, IFloatingPointIeee754<T> =>
        ToSamples<T>(TestInputs, TestLabels, loss, count);

    private Samples<T> ToSamples<T>(float[] inputs, int[] labels, string loss, int count) where T : unmanaged, IFloatingPointIeee754<T>
    {
        var n = count <= 0 ? labels.Length : Math.Min(count, labels.Length);
        var x = new T[n * InputSize];
        for (int i = 0; i < x.Length; i++) x[i] = T.CreateTruncating(inputs[i]);
        var y = labels.AsSpan(0, n).ToArray();
        if (loss == "ce") return new Samples<T>(x, InputShape, null, Classes, y);
        var oneHot = new T[n * Classes];
        for (int i = 0; i < n; i++) oneHot[i * Classes + y[i]] = T.One;
        return new Samples<T>(x, InputShape, oneHot, Classes, null);
    }
}

/// <summary>Named data sets. For now the Fashion-MNIST subset that ships with the repository.</summary>
public static class Datasets
{
    /// <summary>Fashion-MNIST normalisation of the EoSS code: (x/255 − 0.2860)/0.3530 (eoss_spec §4.2).</summary>
    private const float FashionMean = 0.2860f, FashionStd = 0.3530f;

    public static Dataset Load(string name) => name switch
    {
        "fmnist-mini" => LoadFashion(name, Path.Combine(AppContext.BaseDirectory, "datasets", "fmnist-mini")),
        _ => throw new ArgumentException($"unknown data set '{name}' (available: fmnist-mini)"),
    };

    public static Dataset LoadFashion(string name, string folder)
    {
        var (trainX, trainShape) = Idx.Read(Path.Combine(folder, "train-images-idx3-ubyte.gz"));
        var (trainY, _) = Idx.Read(Path.Combine(folder, "train-labels-idx1-ubyte.gz"));
        var (testX, _) = Idx.Read(Path.Combine(folder, "t10k-images-idx3-ubyte.gz"));
        var (testY, _) = Idx.Read(Path.Combine(folder, "t10k-labels-idx1-ubyte.gz"));
        if (trainShape[0] != trainY.Length) throw new InvalidDataException($"{folder}: {trainShape[0]} training images but {trainY.Length} labels");
        return new Dataset(name, Normalize(trainX), trainY.Select(b => (int)b).ToArray(), Normalize(testX),
            testY.Select(b => (int)b).ToArray(), [1, 28, 28], 10);
    }

    private static float[] Normalize(byte[] pixels)
    {
        var x = new float[pixels.Length];
        for (int i = 0; i < x.Length; i++) x[i] = (pixels[i] / 255f - FashionMean) / FashionStd;
        return x;
    }
}
