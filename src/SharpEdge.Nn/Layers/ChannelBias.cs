using System.Numerics;
using System.Numerics.Tensors;

namespace SharpEdge.Nn.Layers;

/// <summary>
/// y[c, ·] = x[c, ·] + b[c]: a bare per-channel bias parameter of shape [1, C, 1, 1] as Fixup registers it
/// (<c>self.bias1a = nn.Parameter(torch.zeros(1, C, 1, 1))</c>; the parameter's name is the layer's name).
/// dx = dy, db = Σ dy; R{y} = R{x} + v; R{dx} = R{dy}, R{db} = Σ R{dy}.
/// </summary>
public sealed class ChannelBias<T>(int[] shape) : Layer<T>(shape, shape) where T : unmanaged, IFloatingPointIeee754<T>
{
    private int Channels => InputShape[0];
    private int Positions => InputSize / Channels;

    public override IReadOnlyList<(string Name, int[] Shape)> ParameterShapes { get; } = [("", [1, shape[0], 1, 1])];

    public override string Describe() => $"ChannelBias({Channels})";

    private void AddBias(int batch, Span<T> y, ReadOnlySpan<T> bias)
    {
        for (int r = 0; r < batch * Channels; r++)
        {
            var row = y.Slice(r * Positions, Positions);
            TensorPrimitives.Add(row, bias[r % Channels], row);
        }
    }

    private void Sums(int batch, ReadOnlySpan<T> dy, Span<T> sums)
    {
        sums.Clear();
        for (int r = 0; r < batch * Channels; r++) sums[r % Channels] += TensorPrimitives.Sum(dy.Slice(r * Positions, Positions));
    }

    public override void Forward(in LayerPass<T> p)
    {
        int n = p.Batch * InputSize;
        p.X[..n].CopyTo(p.Y);
        AddBias(p.Batch, p.Y, p.Theta);
    }

    public override void Backward(in LayerPass<T> p)
    {
        int n = p.Batch * InputSize;
        if (!p.DX.IsEmpty) p.DY[..n].CopyTo(p.DX);
        if (!p.DTheta.IsEmpty) Sums(p.Batch, p.DY, p.DTheta);
    }

    public override void RForward(in LayerPass<T> p)
    {
        int n = p.Batch * InputSize;
        if (p.RX.IsEmpty) p.RY[..n].Clear();
        else p.RX[..n].CopyTo(p.RY);
        AddBias(p.Batch, p.RY, p.V);
    }

    public override void RBackward(in LayerPass<T> p)
    {
        int n = p.Batch * InputSize;
        if (!p.RDX.IsEmpty) p.RDY[..n].CopyTo(p.RDX);
        if (!p.RDTheta.IsEmpty) Sums(p.Batch, p.RDY, p.RDTheta);
    }
}
