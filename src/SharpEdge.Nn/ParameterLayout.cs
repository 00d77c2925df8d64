namespace SharpEdge.Nn;

/// <summary>One named tensor inside a model's flat parameter vector (PyTorch name, shape and row-major layout).</summary>
public sealed record ParameterTensor(string Name, int[] Shape, int Offset)
{
    public int Count { get; } = Shape.Aggregate(1, (a, b) => checked(a * b));

    public string ShapeText => "[" + string.Join(",", Shape) + "]";
}

/// <summary>
/// The order and shapes of every trainable tensor of a model. Every vector the curvature code touches
/// (parameters, gradients, directions, eigenvectors) has this layout, so solvers deal in plain spans.
/// </summary>
public sealed class ParameterLayout
{
    private readonly List<ParameterTensor> tensors = [];

    public IReadOnlyList<ParameterTensor> Tensors => tensors;

    public int Count { get; private set; }

    internal ParameterTensor Add(string name, int[] shape)
    {
        if (tensors.Any(t => t.Name == name)) throw new ArgumentException($"duplicate parameter name '{name}'");
        var tensor = new ParameterTensor(name, shape, Count);
        tensors.Add(tensor);
        Count = checked(Count + tensor.Count);
        return tensor;
    }

    public ParameterTensor this[string name] =>
        tensors.FirstOrDefault(t => t.Name == name) ?? throw new KeyNotFoundException($"no parameter tensor named '{name}'");
}
