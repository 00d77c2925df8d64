using System.Numerics;

namespace SharpEdge.Nn;

/// <summary>
/// Everything one network remembers about one batch: the activations of the forward pass, the output
/// gradients of the backward pass and their R-operator counterparts. Allocated once for a maximum batch size
/// and reused, so the passes themselves allocate nothing.
/// </summary>
public sealed class Tape<T> where T : unmanaged, IFloatingPointIeee754<T>
{
    internal Tape(Network<T> network, int capacity)
    {
        if (capacity < 1) throw new ArgumentOutOfRangeException(nameof(capacity), capacity, "batch capacity must be positive");
        Network = network;
        Capacity = capacity;
        var layers = network.Layers;
        // boundary l (1..L) is the output of layer l-1; boundary 0 is the caller's input.
        Activations = new T[layers.Count + 1][];
        OutputGradients = new T[layers.Count + 1][];
        RActivations = new T[layers.Count + 1][];
        ROutputGradients = new T[layers.Count + 1][];
        for (int l = 1; l <= layers.Count; l++)
        {
            var size = checked(capacity * layers[l - 1].OutputSize);
            Activations[l] = new T[size];
            OutputGradients[l] = new T[size];
            RActivations[l] = new T[size];
            ROutputGradients[l] = new T[size];
        }
        Activations[0] = OutputGradients[0] = RActivations[0] = ROutputGradients[0] = [];
    }

    public Network<T> Network { get; }
    public int Capacity { get; }

    /// <summary>Samples in the batch of the last forward pass.</summary>
    public int Batch { get; internal set; }

    internal ReadOnlyMemory<T> Input;
    internal readonly T[][] Activations;
    internal readonly T[][] OutputGradients;
    internal readonly T[][] RActivations;
    internal readonly T[][] ROutputGradients;

    private T[]? scratch;

    /// <summary>3·capacity² values for layers that work with batch Gram matrices, allocated on first use.</summary>
    internal T[] Scratch => scratch ??= new T[checked(3 * Capacity * Capacity)];

    /// <summary>Network outputs z of the last forward pass, [Batch, outputs].</summary>
    public ReadOnlySpan<T> Output => Activations[^1].AsSpan(0, Batch * Network.OutputSize);

    /// <summary>R{z} = J v of the last R-forward pass, [Batch, outputs].</summary>
    public ReadOnlySpan<T> ROutput => RActivations[^1].AsSpan(0, Batch * Network.OutputSize);

    /// <summary>Bytes held by this tape.</summary>
    public long Bytes => (long)System.Runtime.CompilerServices.Unsafe.SizeOf<T>() *
        (Activations.Sum(a => (long)a.Length) * 4 + (scratch?.Length ?? 0));
}
