namespace SharpEdge.Numerics;

/// <summary>
/// A contiguous row-major array with a shape. Kernels work on its <see cref="Span"/>; the shape travels with
/// the data between files, layers and solvers. Reshaping shares the data.
/// </summary>
public sealed class Tensor<T> where T : unmanaged
{
    public Tensor(params int[] shape) : this(new T[ElementCount(shape)], shape) { }

    public Tensor(T[] data, params int[] shape)
    {
        var count = ElementCount(shape);
        if (data.Length != count)
            throw new ArgumentException($"a tensor of shape {FormatShape(shape)} needs {count} values, got {data.Length}");
        Data = data;
        Shape = (int[])shape.Clone();
    }

    public T[] Data { get; }
    public int[] Shape { get; }
    public int Rank => Shape.Length;
    public int Length => Data.Length;
    public Span<T> Span => Data;

    /// <summary>Values per index of the first axis (the size of one sample of a batch).</summary>
    public int RowSize => Rank == 0 ? 1 : Shape.Length == 1 ? 1 : Data.Length / Math.Max(Shape[0], 1);

    /// <summary>The sub-tensor at index <paramref name="i"/> of the first axis, as a span.</summary>
    public Span<T> Row(int i)
    {
        if (Rank == 0 || (uint)i >= (uint)Shape[0]) throw new IndexOutOfRangeException($"row {i} of a tensor of shape {FormatShape(Shape)}");
        return Data.AsSpan(i * RowSize, RowSize);
    }

    public ref T this[int i, int j]
    {
        get
        {
            if (Rank != 2 || (uint)i >= (uint)Shape[0] || (uint)j >= (uint)Shape[1])
                throw new IndexOutOfRangeException($"[{i},{j}] of a tensor of shape {FormatShape(Shape)}");
            return ref Data[i * Shape[1] + j];
        }
    }

    /// <summary>The same data under another shape with the same number of elements.</summary>
    public Tensor<T> Reshape(params int[] shape) => new(Data, shape);

    public override string ToString() => $"{typeof(T).Name}{FormatShape(Shape)}";

    public static int ElementCount(ReadOnlySpan<int> shape)
    {
        long count = 1;
        foreach (var d in shape)
        {
            if (d < 0) throw new ArgumentException($"negative dimension {d} in shape {FormatShape(shape)}");
            count *= d;
            if (count > Array.MaxLength) throw new ArgumentException($"shape {FormatShape(shape)} has more than {Array.MaxLength} elements");
        }
        return (int)count;
    }

    public static string FormatShape(ReadOnlySpan<int> shape) => "[" + string.Join(",", shape.ToArray()) + "]";
}
