namespace SharpEdge.Curvature;

/// <summary>
/// A symmetric linear map on ℝⁿ known only through its action. Solvers and estimators see nothing else,
/// so they can be tested on explicit matrices and run unchanged on Hessians, Gauss-Newton and Fisher matrices.
/// </summary>
public interface ILinearOperator
{
    int Size { get; }

    /// <summary>result = A v.</summary>
    void Apply(ReadOnlySpan<double> v, Span<double> result);
}

/// <summary>An explicit dense symmetric matrix (row-major n×n) as an operator: the reference in tests.</summary>
public sealed class DenseOperator : ILinearOperator
{
    private readonly double[] matrix;

    public DenseOperator(double[] matrix, int size)
    {
        if (matrix.Length != size * size) throw new ArgumentException($"a {size}x{size} matrix needs {size * size} values, got {matrix.Length}");
        this.matrix = matrix;
        Size = size;
    }

    public int Size { get; }

    public void Apply(ReadOnlySpan<double> v, Span<double> result)
    {
        for (int i = 0; i < Size; i++)
            result[i] = System.Numerics.Tensors.TensorPrimitives.Dot(matrix.AsSpan(i * Size, Size), v);
    }
}
