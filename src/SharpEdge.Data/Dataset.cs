using System.Numerics;
using SharpEdge.Nn;

namespace SharpEdge.Data;

/// <summary>
/// A labelled data set held in memory once, as float32, already normalised the way the EoSS code normalises it
/// (eoss_spec §4.2): inputs row-major [N, C, H, W] (or [N, D]), labels as class indices. Training code asks for
/// <see cref="Samples{T}"/> with the targets its loss needs (§4.3).
/// </summary>
public sealed class Dataset
{
    public Dataset(string name, float[] trainInputs, int[] trainLabels, float[] testInputs, int[] testLabels, int[] inputShape,
        int classes, TargetEncoding targets = TargetEncoding.OneHot)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(name);
        if (inputShape.Length == 0 || inputShape.Any(d => d < 1)) throw new ArgumentException($"{name}: input shape [{string.Join(", ", inputShape)}] is not valid");
        if (classes < 2) throw new ArgumentException($"{name}: a classification set needs at least two classes, got {classes}");
        if (targets == TargetEncoding.PlusMinusOne && classes != 2) throw new ArgumentException($"{name}: ±1 targets need exactly two classes, got {classes}");
        InputSize = inputShape.Aggregate(1, (a, b) => checked(a * b));
        Check(name, "training", trainInputs, trainLabels, InputSize, classes);
        Check(name, "test", testInputs, testLabels, InputSize, classes);
        Name = name;
        TrainInputs = trainInputs;
        TrainLabels = trainLabels;
        TestInputs = testInputs;
        TestLabels = testLabels;
        InputShape = inputShape;
        Classes = classes;
        Targets = targets;
    }

    private static void Check(string name, string split, float[] inputs, int[] labels, int inputSize, int classes)
    {
        if (inputs.Length != (long)labels.Length * inputSize)
            throw new ArgumentException($"{name}: {split} split holds {inputs.Length} input values for {labels.Length} labels of size {inputSize}");
        for (int i = 0; i < labels.Length; i++)
            if ((uint)labels[i] >= (uint)classes)
                throw new ArgumentException($"{name}: {split} label {labels[i]} of sample {i} is outside [0, {classes})");
    }

    public string Name { get; }
    public float[] TrainInputs { get; }
    public int[] TrainLabels { get; }
    public float[] TestInputs { get; }
    public int[] TestLabels { get; }
    public int[] InputShape { get; }
    public int InputSize { get; }
    public int Classes { get; }
    public TargetEncoding Targets { get; }

    /// <summary>Width of the model's output layer: one per class, or one for ±1 targets.</summary>
    public int Outputs => Targets == TargetEncoding.PlusMinusOne ? 1 : Classes;

    public int TrainCount => TrainLabels.Length;
    public int TestCount => TestLabels.Length;

    /// <summary>Where each training sample sits in the full training split of the files (the subset, in order).</summary>
    public int[]? TrainIndices { get; init; }

    /// <summary>The folder the files were read from, or "generated".</summary>
    public string Source { get; init; } = "";

    /// <summary>The subset rule in words, for run metadata, e.g. "numpy default_rng(888).choice(50000, 8192, replace=False)".</summary>
    public string SubsetRule { get; init; } = "";

    /// <summary>
    /// Training samples as the loss wants them (eoss_spec §4.3): one-hot (or ±1) targets for "mse", class labels
    /// for "ce"; the first <paramref name="count"/> samples (0 = all). For float the inputs are shared, not copied.
    /// </summary>
    public Samples<T> Train<T>(string loss, int count = 0) where T : unmanaged, IFloatingPointIeee754<T> =>
        ToSamples<T>(TrainInputs, TrainLabels, loss, count);

    public Samples<T> Test<T>(string loss, int count = 0) where T : unmanaged, IFloatingPointIeee754<T> =>
        ToSamples<T>(TestInputs, TestLabels, loss, count);

    private Samples<T> ToSamples<T>(float[] inputs, int[] labels, string loss, int count) where T : unmanaged, IFloatingPointIeee754<T>
    {
        bool crossEntropy = loss switch
        {
            "mse" => false,
            "ce" => true,
            _ => throw new ArgumentException($"unknown loss '{loss}' (mse or ce)"),
        };
        if (crossEntropy && Targets == TargetEncoding.PlusMinusOne)
            throw new ArgumentException($"{Name} has ±1 scalar targets (one output), so cross-entropy is not available, as in the original; use --loss mse");
        if (count < 0) throw new ArgumentException($"sample count must be non-negative, got {count}");
        var n = count == 0 ? labels.Length : Math.Min(count, labels.Length);
        T[] x;
        if (typeof(T) == typeof(float) && n == labels.Length) x = (T[])(object)inputs;
        else
        {
            x = new T[n * InputSize];
            for (int i = 0; i < x.Length; i++) x[i] = T.CreateTruncating(inputs[i]);
        }
        var y = labels.AsSpan(0, n).ToArray();
        if (crossEntropy) return new Samples<T>(x, InputShape, null, Classes, y);
        var targets = new T[n * Outputs];
        if (Targets == TargetEncoding.PlusMinusOne)
            for (int i = 0; i < n; i++) targets[i] = y[i] == 0 ? T.One : -T.One;
        else
            for (int i = 0; i < n; i++) targets[i * Classes + y[i]] = T.One;
        return new Samples<T>(x, InputShape, targets, Outputs, null);
    }
}
