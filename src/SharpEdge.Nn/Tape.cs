using System.Numerics;

namespace SharpEdge.Nn;

/// <summary>
/// Everything one network remembers about one batch: the activations of the forward pass, the output
/// gradients of the backward pass, their R-operator counterparts and each layer's own state (batch statistics,
/// pooling indices, the inner activations of residual blocks). Allocated once for a maximum batch size and
/// reused, so the passes themselves allocate nothing. A layer whose passes work in place (ReLU after a Linear or
/// convolution, <see cref="Layers.Layer{T}.ForwardInPlace"/>) writes its output over its input. The R buffers are
/// allocated on the first R-operator pass, so a tape that only ever computes gradients (a training step) holds half
/// the memory. Layers whose R passes work in place (<see cref="Layers.Layer{T}.RPassesInPlace"/>: ReLU) share their input's R buffers, and tapes
/// whose passes never overlap (the chunks of an <see cref="Objective{T}"/>, run one after another) may share one
/// set of R buffers (<see cref="Tape{T}(Network{T}, int, Tape{T}?)"/>): R{x} and R{dx} of a chunk are only read
/// within the product that writes them.
/// </summary>
public sealed class Tape<T> where T : unmanaged, IFloatingPointIeee754<T>
{
    /// <param name="network">the network whose passes the tape records.</param>
    /// <param name="capacity">the largest batch.</param>
    /// <param name="rBuffersOf">a tape of the same network and capacity whose R buffers this one uses too (allocated by
    /// whichever runs an R pass first); the two must never be in the middle of R passes at the same time.</param>
    internal Tape(Network<T> network, int capacity, Tape<T>? rBuffersOf = null)
    {
        if (capacity < 1) throw new ArgumentOutOfRangeException(nameof(capacity), capacity, "batch capacity must be positive");
        if (rBuffersOf is not null && (rBuffersOf.Network != network || rBuffersOf.Capacity != capacity))
            throw new ArgumentException("R buffers can only be shared between tapes of one network and capacity", nameof(rBuffersOf));
        Network = network;
        Capacity = capacity;
        var layers = network.Layers;
        // boundary l (1..L) is the output of layer l-1; boundary 0 is the caller's input.
        Activations = new T[layers.Count + 1][];
        OutputGradients = new T[layers.Count + 1][];
        // Shared: the same arrays of buffers, so an allocation through either tape serves both.
        RActivations = rBuffersOf?.RActivations ?? new T[layers.Count + 1][];
        ROutputGradients = rBuffersOf?.ROutputGradients ?? new T[layers.Count + 1][];
        States = new T[layers.Count][];
        long workspace = 0;
        for (int l = 1; l <= layers.Count; l++)
        {
            var size = checked(capacity * layers[l - 1].OutputSize);
            if (network.IsInputView(l))
            {
                // the caller's input, read through tape.Input (Network.Pass)
                Activations[l] = OutputGradients[l] = [];
            }
            else if (network.ForwardBuffersInPlace(l - 1))
            {
                Activations[l] = Activations[l - 1];
                OutputGradients[l] = OutputGradients[l - 1];
            }
            else
            {
                Activations[l] = new T[size];
                OutputGradients[l] = network.HasGradients(l) ? new T[size] : [];
            }
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

    /// <summary>
    /// Allocates the R-operator buffers if no R pass has run on this tape (or a tape sharing them) yet. The output
    /// of a layer whose R passes work in place shares its input's buffers (R{y} over R{x}, R{dx} over R{dy}).
    /// </summary>
    internal void EnsureRBuffers()
    {
        if (RActivations.Length < 2 || HasRBuffers) return;
        for (int l = 1; l < RActivations.Length; l++)
        {
            if (!Network.HasGradients(l))
            {
                RActivations[l] = ROutputGradients[l] = [];
                continue;
            }
            if (Network.RBuffersInPlace(l - 1))
            {
                RActivations[l] = RActivations[l - 1];
                ROutputGradients[l] = ROutputGradients[l - 1];
                continue;
            }
            RActivations[l] = new T[Activations[l].Length];
            ROutputGradients[l] = new T[Activations[l].Length];
        }
    }

    /// <summary>Bytes of the R buffers once allocated (whether or not they are yet).</summary>
    internal long RBufferBytes => Network.RBufferBytes(Capacity);

    /// <summary>Whether this tape's R buffers are allocated.</summary>
    internal bool HasRBuffers => RActivations.Length > 1 && RActivations[^1] is not null;

    /// <summary>Whether this tape uses the same R buffers as <paramref name="other"/>.</summary>
    internal bool SharesRBuffersWith(Tape<T> other) => ReferenceEquals(RActivations, other.RActivations);

    /// <summary>Bytes held by this tape apart from its R buffers.</summary>
    internal long ForwardBytes => Network.TapeBytesWithoutRBuffers(Capacity) + (long)(scratch?.Length ?? 0) * System.Runtime.CompilerServices.Unsafe.SizeOf<T>();

    /// <summary>Network outputs z of the last forward pass, [Batch, outputs].</summary>
    public ReadOnlySpan<T> Output => Activations[^1].AsSpan(0, Batch * Network.OutputSize);

    /// <summary>R{z} = J v of the last R-forward pass, [Batch, outputs].</summary>
    public ReadOnlySpan<T> ROutput => RActivations[^1].AsSpan(0, Batch * Network.OutputSize);

    /// <summary>Bytes held by this tape (its R buffers included once allocated, even when shared with another tape).</summary>
    public long Bytes => ForwardBytes + (HasRBuffers ? RBufferBytes : 0);
}
