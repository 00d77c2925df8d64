using System.Numerics;

namespace SharpEdge.Nn.Layers;

/// <summary>
/// A sequence of layers run inside a composite layer (one branch of a <see cref="Residual{T}"/>). Its inner
/// activations, output gradients, their R counterparts and each layer's own state live in the composite's
/// <see cref="LayerPass{T}.State"/>, laid out for the tape's capacity; parameters and buffers are slices of
/// the composite's at offsets fixed by the composite's registration order.
/// </summary>
internal sealed class LayerChain<T> where T : unmanaged, IFloatingPointIeee754<T>
{
    private readonly Layer<T>[] layers;
    private readonly int[] parameterOffsets;
    private readonly int[] bufferOffsets;

    public LayerChain(IReadOnlyList<Layer<T>> layers, IReadOnlyList<int> parameterOffsets, IReadOnlyList<int> bufferOffsets)
    {
        this.layers = [.. layers];
        this.parameterOffsets = [.. parameterOffsets];
        this.bufferOffsets = [.. bufferOffsets];
        for (int i = 1; i < this.layers.Length; i++)
            if (this.layers[i].InputSize != this.layers[i - 1].OutputSize)
                throw new ArgumentException($"{this.layers[i].Describe()} expects {this.layers[i].InputSize} inputs but {this.layers[i - 1].Describe()} gives {this.layers[i - 1].OutputSize}");
    }

    public IReadOnlyList<Layer<T>> Layers => layers;
    public bool IsEmpty => layers.Length == 0;
    public int OutputSize => layers[^1].OutputSize;

    /// <summary>Values of state for a tape of <paramref name="capacity"/> samples: four batch buffers per inner output plus each layer's state.</summary>
    public long StateSize(int capacity) => layers.Sum(l => 4L * capacity * l.OutputSize + l.StateSize(capacity));

    public long WorkspaceSize(int capacity) => layers.Length == 0 ? 0 : layers.Max(l => l.WorkspaceSize(capacity));

    /// <summary>The output of the last layer of the last forward pass (within <paramref name="state"/>).</summary>
    public Span<T> Output(Span<T> state, int capacity) => Buffer(state, capacity, layers.Length - 1, 0);

    /// <summary>R{output} of the last R-forward pass.</summary>
    public Span<T> ROutput(Span<T> state, int capacity) => Buffer(state, capacity, layers.Length - 1, 2);

    /// <summary>Buffer <paramref name="kind"/> (0 y, 1 dy, 2 R{y}, 3 R{dy}) of layer <paramref name="i"/>'s output.</summary>
    private Span<T> Buffer(Span<T> state, int capacity, int i, int kind)
    {
        long offset = 0;
        for (int j = 0; j < i; j++) offset += 4L * capacity * layers[j].OutputSize + layers[j].StateSize(capacity);
        int size = capacity * layers[i].OutputSize;
        return state.Slice((int)(offset + (long)kind * size), size);
    }

    private Span<T> OwnState(Span<T> state, int capacity, int i)
    {
        long offset = 0;
        for (int j = 0; j < i; j++) offset += 4L * capacity * layers[j].OutputSize + layers[j].StateSize(capacity);
        offset += 4L * capacity * layers[i].OutputSize;
        return state.Slice((int)offset, (int)layers[i].StateSize(capacity));
    }

    /// <summary>The pass of inner layer <paramref name="i"/>: x, dx, R{x}, R{dx} of the first layer and dy, R{dy} of the last come from the caller.</summary>
    private LayerPass<T> Pass(in LayerPass<T> outer, Span<T> state, int i, ReadOnlySpan<T> x, ReadOnlySpan<T> dy, Span<T> dx,
        ReadOnlySpan<T> rx, ReadOnlySpan<T> rdy, Span<T> rdx)
    {
        int c = outer.Capacity;
        var layer = layers[i];
        int np = layer.ParameterCount, nb = layer.BufferCount;
        bool last = i == layers.Length - 1;
        // A separate backward pass (a VJP at a cached point) must leave the inner output gradients intact: it
        // works in the R buffers, as the network does with its own.
        int gradients = outer.SeparateBackward ? 3 : 1;
        return new LayerPass<T>
        {
            Batch = outer.Batch,
            Capacity = c,
            Theta = outer.Theta.Slice(parameterOffsets[i], np),
            V = outer.V.IsEmpty ? default : outer.V.Slice(parameterOffsets[i], np),
            DTheta = outer.DTheta.IsEmpty ? default : outer.DTheta.Slice(parameterOffsets[i], np),
            RDTheta = outer.RDTheta.IsEmpty ? default : outer.RDTheta.Slice(parameterOffsets[i], np),
            Buffers = outer.Buffers.IsEmpty ? default : outer.Buffers.Slice(bufferOffsets[i], nb),
            X = i == 0 ? x : Buffer(state, c, i - 1, 0),
            Y = Buffer(state, c, i, 0),
            DY = last ? dy : Buffer(state, c, i, gradients),
            DX = i == 0 ? dx : Buffer(state, c, i - 1, gradients),
            RX = i == 0 ? rx : Buffer(state, c, i - 1, 2),
            RY = Buffer(state, c, i, 2),
            RDY = last ? rdy : Buffer(state, c, i, 3),
            RDX = i == 0 ? rdx : Buffer(state, c, i - 1, 3),
            Scratch = outer.Scratch,
            State = OwnState(state, c, i),
            Workspace = outer.Workspace,
            UseRunningStatistics = outer.UseRunningStatistics,
            UpdateRunningStatistics = outer.UpdateRunningStatistics,
            SeparateBackward = outer.SeparateBackward,
        };
    }

    public void Forward(in LayerPass<T> outer, Span<T> state)
    {
        for (int i = 0; i < layers.Length; i++)
            layers[i].Forward(Pass(outer, state, i, outer.X, default, default, default, default, default));
    }

    /// <summary>Backward from <paramref name="dy"/> at the chain's output; writes dx of its input unless <paramref name="dx"/> is empty.</summary>
    public void Backward(in LayerPass<T> outer, Span<T> state, ReadOnlySpan<T> dy, Span<T> dx)
    {
        for (int i = layers.Length - 1; i >= 0; i--)
            layers[i].Backward(Pass(outer, state, i, outer.X, dy, dx, default, default, default));
    }

    public void RForward(in LayerPass<T> outer, Span<T> state)
    {
        for (int i = 0; i < layers.Length; i++)
            layers[i].RForward(Pass(outer, state, i, outer.X, default, default, outer.RX, default, default));
    }

    /// <summary>R-backward from <paramref name="dy"/> and <paramref name="rdy"/> at the output; writes R{dx} unless <paramref name="rdx"/> is empty.</summary>
    public void RBackward(in LayerPass<T> outer, Span<T> state, ReadOnlySpan<T> dy, ReadOnlySpan<T> rdy, Span<T> rdx)
    {
        for (int i = layers.Length - 1; i >= 0; i--)
            layers[i].RBackward(Pass(outer, state, i, outer.X, dy, default, outer.RX, rdy, rdx));
    }
}
