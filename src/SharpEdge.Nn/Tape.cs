using System.Numerics;

namespace SharpEdge.Nn;

/// <summary>
/// Everything one network remembers about one batch: the activations of the forward pass, the output
/// gradients of the backward pass, their R-operator counterparts and each layer's own state (batch statistics,
/// pooling indices, the inner activations of residual blocks). Allocated once for a maximum batch size and
/// reused, so the passes themselves allocate nothing. The R buffers are allocated on the first R-operator pass,
/// so a tape that only ever computes gradients (a training step) holds half the memory.
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
        States = new T[layers.Count][];
        long workspace = 0;
        for (int l = 1; l <= layers.Count; l++)
        {
            var size = checked(capacity * layers[l - 1].OutputSize);
            Activations[l] = new T[size];
            OutputGradients[l] = new T[size];
            States[l - 1] = new T[checked((int)layers[l - 1].StateSize(capacity))];
            workspace = Math.Max(workspace, layers[l - 1].WorkspaceSize(capacity));
        }
        Activations[0] = OutputGradients[0] = RActivations[0] = ROutputGradients[0] = [];
        Workspace = new T[checked((int)workspace)];
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
    internal readonly T[][] States;
    internal readonly T[] Workspace;

    /// <summary>Whether the last forward pass used running statistics (evaluation mode).</summary>
    internal bool UsedRunningStatistics;

    private T[]? scratch;

    /// <summary>3·capacity² values for layers that work with batch Gram matrices, allocated on first use.</summary>
    internal T[] Scratch => scratch ??= new T[checked(3 * Capacity * Capacity)];

    /// <summary>Allocates the R-operator buffers if no R pass has run on this tape yet.</summary>
    internal void EnsureRBuffers()
    {
        if (RActivations.Length < 2 || RActivations[1] is not null) return;
        for (int l = 1; l < RActivations.Length; l++)
        {
            RActivations[l] = new T[Activations[l].Length];
            ROutputGradients[l] = new T[Activations[l].Length];
        }
    }

    /// <summary>Network outputs z of the last forward pass, [Batch, outputs].</summary>
    public ReadOnlySpan<T> Output => Activations[^1].AsSpan(0, Batch * Network.OutputSize);

    /// <summary>R{z} = J v of the last R-forward pass, [Batch, outputs].</summary>
    public ReadOnlySpan<T> ROutput => RActivations[^1].AsSpan(0, Batch * Network.OutputSize);

    /// <summary>Bytes held by this tape.</summary>
    public long Bytes
    {
        get
        {
            long values = Activations.Sum(a => (long)a.Length) * (RActivations.Length > 1 && RActivations[1] is not null ? 4 : 2)
                + States.Sum(s => (long)s.Length) + Workspace.Length + (scratch?.Length ?? 0);
            return values * System.Runtime.CompilerServices.Unsafe.SizeOf<T>();
        }
    }
}
