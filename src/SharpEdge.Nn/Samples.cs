using System.Numerics;

namespace SharpEdge.Nn;

/// <summary>
/// Samples held in memory: inputs as row-major [N, input size] and either regression/one-hot targets
/// [N, outputs] (MSE) or class labels [N] (cross-entropy).
/// </summary>
public sealed class Samples<T> where T : unmanaged, IFloatingPointIeee754<T>
{
    public Samples(T[] inputs, int[] inputShape, T[]? targets, int outputs, int[]? labels)
    {
        InputShape = inputShape;
        InputSize = inputShape.Aggregate(1, (a, b) => checked(a * b));
        if (InputSize < 1) throw new ArgumentException("input size must be positive");
        if (inputs.Length % InputSize != 0) throw new ArgumentException($"inputs hold {inputs.Length} values, not a multiple of the input size {InputSize}");
        Count = inputs.Length / InputSize;
        if (outputs < 1) throw new ArgumentException("number of outputs must be positive");
        if (targets is not null && targets.Length != Count * outputs)
            throw new ArgumentException($"targets hold {targets.Length} values, expected {Count}x{outputs}");
        if (labels is not null)
        {
            if (labels.Length != Count) throw new ArgumentException($"labels hold {labels.Length} values, expected {Count}");
            for (int i = 0; i < labels.Length; i++)
                if ((uint)labels[i] >= (uint)outputs) throw new ArgumentException($"label {labels[i]} of sample {i} is outside [0, {outputs})");
        }
        Inputs = inputs;
        Targets = targets;
        Labels = labels;
        Outputs = outputs;
    }

    public T[] Inputs { get; }
    public int[] InputShape { get; }
    public int InputSize { get; }
    public T[]? Targets { get; }
    public int[]? Labels { get; }
    public int Outputs { get; }
    public int Count { get; }

    public ReadOnlyMemory<T> InputRows(int start, int count) => Inputs.AsMemory(start * InputSize, count * InputSize);

    /// <summary>
    /// How many of the samples [start, start+count) the network outputs <paramref name="outputs"/> ([count, Outputs])
    /// classify right: the arg-max output is the label (class labels) or the arg-max target (one-hot targets); with one
    /// output (±1 targets) its sign is the target's (0 and NaN are wrong). Ties go to the first maximum.
    /// </summary>
    public int CountCorrect(ReadOnlySpan<T> outputs, int start, int count)
    {
        if (outputs.Length < count * Outputs) throw new ArgumentException($"outputs hold {outputs.Length} values, expected {count}x{Outputs}");
        int correct = 0;
        for (int i = 0; i < count; i++)
        {
            var z = outputs.Slice(i * Outputs, Outputs);
            bool right;
            if (Labels is not null) right = ArgMax(z) == Labels[start + i];
            else
            {
                var y = Targets.AsSpan((start + i) * Outputs, Outputs);
                right = Outputs == 1 ? (y[0] > T.Zero ? z[0] > T.Zero : z[0] < T.Zero) : ArgMax(z) == ArgMax(y);
            }
            if (right) correct++;
        }
        return correct;
    }

    private static int ArgMax(ReadOnlySpan<T> values)
    {
        int best = 0;
        for (int k = 1; k < values.Length; k++)
            if (values[k] > values[best]) best = k;
        return best;
    }

    /// <summary>An empty set of <paramref name="count"/> samples shaped like this one (a minibatch buffer).</summary>
    public Samples<T> CreateBuffer(int count) => new(new T[count * InputSize], InputShape,
        Targets is null ? null : new T[count * Outputs], Outputs, Labels is null ? null : new int[count]);

    /// <summary>A new set holding copies of the samples at <paramref name="indices"/>.</summary>
    public Samples<T> Gather(ReadOnlySpan<int> indices)
    {
        var subset = CreateBuffer(indices.Length);
        GatherInto(indices, subset);
        return subset;
    }

    /// <summary>Copies the samples at <paramref name="indices"/> into the same-shaped <paramref name="destination"/> (no allocation).</summary>
    public void GatherInto(ReadOnlySpan<int> indices, Samples<T> destination)
    {
        if (destination.Count != indices.Length || destination.InputSize != InputSize || destination.Outputs != Outputs)
            throw new ArgumentException($"destination holds {destination.Count} samples, {indices.Length} indices given");
        for (int k = 0; k < indices.Length; k++)
        {
            var i = indices[k];
            Inputs.AsSpan(i * InputSize, InputSize).CopyTo(destination.Inputs.AsSpan(k * InputSize));
            if (Targets is not null) Targets.AsSpan(i * Outputs, Outputs).CopyTo(destination.Targets.AsSpan(k * Outputs));
            if (Labels is not null) destination.Labels![k] = Labels[i];
        }
    }
}
