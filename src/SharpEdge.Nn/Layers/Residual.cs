using System.Numerics;
using System.Numerics.Tensors;

namespace SharpEdge.Nn.Layers;

/// <summary>
/// A residual block y = F(x) + S(x): a main branch F and a shortcut S, each a chain of named layers (S empty: the
/// identity). All four passes are sums of the branches' passes: dx = (∂F/∂x)ᵀ dy + (∂S/∂x)ᵀ dy, R{y} = R{F} + R{S},
/// R{dx} likewise. The inner activations live in this layer's tape state. Parameters are named
/// <c>{sublayer}.{local}</c> in <paramref name="registrationOrder"/> (PyTorch's attribute order in
/// <c>__init__</c>, which need not be the order they run in), so a block maps onto a module such as
/// <c>layer1.0</c> with <c>conv1</c>, <c>bn1</c>, <c>conv2</c>, <c>bn2</c>, <c>shortcut</c>.
/// </summary>
public sealed class Residual<T> : Layer<T> where T : unmanaged, IFloatingPointIeee754<T>
{
    private readonly LayerChain<T> main;
    private readonly LayerChain<T> shortcut;
    private readonly List<(string Name, int[] Shape)> parameterShapes = [];
    private readonly List<(string Name, int[] Shape)> bufferShapes = [];
    private readonly List<(Layer<T> Layer, int Offset)> bufferedLayers = [];

    /// <param name="inputShape">per-sample input shape.</param>
    /// <param name="main">the main branch F, first to last, each layer with its PyTorch attribute name (null for layers without parameters).</param>
    /// <param name="shortcut">the shortcut S; empty for the identity.</param>
    /// <param name="registrationOrder">attribute names in PyTorch registration order; null: main then shortcut.</param>
    public Residual(int[] inputShape, IReadOnlyList<(string? Name, Layer<T> Layer)> main, IReadOnlyList<(string? Name, Layer<T> Layer)> shortcut,
        IReadOnlyList<string>? registrationOrder = null)
        : base(inputShape, main.Count > 0 ? main[^1].Layer.OutputShape : inputShape)
    {
        if (main.Count == 0) throw new ArgumentException("a residual block needs a main branch");
        var all = main.Concat(shortcut).ToList();
        foreach (var (name, layer) in all)
            if (name is null && (layer.ParameterCount > 0 || layer.BufferCount > 0))
                throw new ArgumentException($"{layer.Describe()} has parameters or buffers but no name");
        if (main[0].Layer.InputSize != InputSize) throw new ArgumentException($"the main branch takes {main[0].Layer.InputSize} inputs, the block {InputSize}");
        var shortcutOutput = shortcut.Count > 0 ? shortcut[^1].Layer.OutputSize : InputSize;
        if (shortcut.Count > 0 && shortcut[0].Layer.InputSize != InputSize) throw new ArgumentException($"the shortcut takes {shortcut[0].Layer.InputSize} inputs, the block {InputSize}");
        if (shortcutOutput != OutputSize)
            throw new ArgumentException($"the main branch gives {OutputSize} outputs but the shortcut {shortcutOutput}: shapes of a residual sum must agree");

        var named = all.Where(e => e.Name is not null).Select(e => e.Name!).ToList();
        if (named.Distinct().Count() != named.Count) throw new ArgumentException("sublayer names of a residual block must be unique");
        var order = registrationOrder?.ToList() ?? named;
        if (order.Count != named.Count || order.Except(named).Any())
            throw new ArgumentException($"registration order [{string.Join(", ", order)}] does not list the named sublayers [{string.Join(", ", named)}]");
        var parameterOffset = new Dictionary<string, int>();
        var bufferOffset = new Dictionary<string, int>();
        int p = 0, b = 0;
        foreach (var name in order)
        {
            var layer = all.First(e => e.Name == name).Layer;
            parameterOffset[name] = p;
            bufferOffset[name] = b;
            foreach (var (local, shape) in layer.ParameterShapes) parameterShapes.Add((local.Length == 0 ? name : $"{name}.{local}", shape));
            foreach (var (local, shape) in layer.BufferShapes) bufferShapes.Add((local.Length == 0 ? name : $"{name}.{local}", shape));
            if (layer.BufferCount > 0) bufferedLayers.Add((layer, b));
            p += layer.ParameterCount;
            b += layer.BufferCount;
        }
        LayerChain<T> Chain(IReadOnlyList<(string? Name, Layer<T> Layer)> branch) => new(
            branch.Select(e => e.Layer).ToList(),
            branch.Select(e => e.Name is null ? 0 : parameterOffset[e.Name]).ToList(),
            branch.Select(e => e.Name is null ? 0 : bufferOffset[e.Name]).ToList());
        this.main = Chain(main);
        this.shortcut = Chain(shortcut);
        UsesBatchStatistics = all.Any(e => e.Layer.UsesBatchStatistics);
    }

    public override IReadOnlyList<(string Name, int[] Shape)> ParameterShapes => parameterShapes;
    public override IReadOnlyList<(string Name, int[] Shape)> BufferShapes => bufferShapes;
    public override bool UsesBatchStatistics { get; }

    public IReadOnlyList<Layer<T>> Main => main.Layers;
    public IReadOnlyList<Layer<T>> Shortcut => shortcut.Layers;

    public override string Describe() =>
        $"Residual[{string.Join(" → ", main.Layers.Select(l => l.Describe()))}] + [{(shortcut.IsEmpty ? "identity" : string.Join(" → ", shortcut.Layers.Select(l => l.Describe())))}]";

    public override void InitializeBuffers(Span<T> buffers)
    {
        foreach (var (layer, offset) in bufferedLayers) layer.InitializeBuffers(buffers.Slice(offset, layer.BufferCount));
    }

    // State: [main chain][shortcut chain][one batch of input-sized scratch for the shortcut's dx and R{dx}]
    public override long StateSize(int capacity) => main.StateSize(capacity) + shortcut.StateSize(capacity) + (shortcut.IsEmpty ? 0 : (long)capacity * InputSize);

    public override long WorkspaceSize(int capacity) => Math.Max(main.WorkspaceSize(capacity), shortcut.WorkspaceSize(capacity));

    private Span<T> MainState(in LayerPass<T> p) => p.State[..(int)main.StateSize(p.Capacity)];
    private Span<T> ShortcutState(in LayerPass<T> p) => p.State.Slice((int)main.StateSize(p.Capacity), (int)shortcut.StateSize(p.Capacity));
    private Span<T> Scratch(in LayerPass<T> p) => p.State.Slice((int)(main.StateSize(p.Capacity) + shortcut.StateSize(p.Capacity)), p.Capacity * InputSize);

    public override void Forward(in LayerPass<T> p)
    {
        int n = p.Batch * OutputSize;
        var ms = MainState(p);
        main.Forward(p, ms);
        var y = p.Y[..n];
        if (shortcut.IsEmpty)
        {
            TensorPrimitives.Add(main.Output(ms, p.Capacity)[..n], p.X[..n], y);
            return;
        }
        var ss = ShortcutState(p);
        shortcut.Forward(p, ss);
        TensorPrimitives.Add(main.Output(ms, p.Capacity)[..n], shortcut.Output(ss, p.Capacity)[..n], y);
    }

    public override void Backward(in LayerPass<T> p)
    {
        int n = p.Batch * InputSize;
        main.Backward(p, MainState(p), p.DY, p.DX);
        if (shortcut.IsEmpty)
        {
            if (!p.DX.IsEmpty) TensorPrimitives.Add(p.DX[..n], p.DY[..n], p.DX[..n]);
            return;
        }
        var scratch = p.DX.IsEmpty ? default : Scratch(p);
        shortcut.Backward(p, ShortcutState(p), p.DY, scratch);
        if (!p.DX.IsEmpty) TensorPrimitives.Add(p.DX[..n], scratch[..n], p.DX[..n]);
    }

    public override void RForward(in LayerPass<T> p)
    {
        int n = p.Batch * OutputSize;
        var ms = MainState(p);
        main.RForward(p, ms);
        var ry = p.RY[..n];
        var rMain = main.ROutput(ms, p.Capacity)[..n];
        if (shortcut.IsEmpty)
        {
            if (p.RX.IsEmpty) rMain.CopyTo(ry);
            else TensorPrimitives.Add(rMain, p.RX[..n], ry);
            return;
        }
        var ss = ShortcutState(p);
        shortcut.RForward(p, ss);
        TensorPrimitives.Add(rMain, shortcut.ROutput(ss, p.Capacity)[..n], ry);
    }

    public override void RBackward(in LayerPass<T> p)
    {
        int n = p.Batch * InputSize;
        main.RBackward(p, MainState(p), p.DY, p.RDY, p.RDX);
        if (shortcut.IsEmpty)
        {
            if (!p.RDX.IsEmpty) TensorPrimitives.Add(p.RDX[..n], p.RDY[..n], p.RDX[..n]);
            return;
        }
        var scratch = p.RDX.IsEmpty ? default : Scratch(p);
        shortcut.RBackward(p, ShortcutState(p), p.DY, p.RDY, scratch);
        if (!p.RDX.IsEmpty) TensorPrimitives.Add(p.RDX[..n], scratch[..n], p.RDX[..n]);
    }
}
