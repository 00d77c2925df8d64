using System.Numerics.Tensors;
using SharpEdge.Numerics;

namespace SharpEdge.Curvature;

/// <summary>
/// A symmetric linear map on ℝⁿ known only through its action. Solvers and estimators see nothing else,
/// so they can be tested on explicit matrices and run unchanged on Hessians, Gauss-Newton and Fisher matrices.
/// </summary>
/// <remarks>
/// A block of <c>count</c> vectors is stored vector after vector: vector j occupies
/// <c>[j·Size, (j+1)·Size)</c>. <see cref="ApplyBlock"/> defaults to one <see cref="Apply"/> per vector; an
/// operator that can do better (one GEMM for a dense matrix, one batched R-pass for a network) implements it.
/// Every product counts as one, batched or not. Operators may keep scratch buffers: one instance is not
/// safe to use from two threads at once.
/// </remarks>
public interface ILinearOperator
{
    int Size { get; }

    /// <summary>result = A v.</summary>
    void Apply(ReadOnlySpan<double> v, Span<double> result);

    /// <summary>result_j = A block_j for the <paramref name="count"/> vectors of the block.</summary>
    void ApplyBlock(ReadOnlySpan<double> block, int count, Span<double> result)
    {
        LinearOperator.CheckBlock(this, block, count, result);
        int n = Size;
        for (int j = 0; j < count; j++) Apply(block.Slice(j * n, n), result.Slice(j * n, n));
    }
}

/// <summary>Argument checks and conversions shared by every operator, solver and estimator.</summary>
public static class LinearOperator
{
    /// <summary>Throws unless <paramref name="v"/> and <paramref name="result"/> both have the operator's size.</summary>
    public static void CheckVector(ILinearOperator op, ReadOnlySpan<double> v, ReadOnlySpan<double> result)
    {
        if (v.Length != op.Size) throw new ArgumentException($"{Describe(op)} needs a vector of length {op.Size}, got {v.Length}", nameof(v));
        if (result.Length != op.Size) throw new ArgumentException($"{Describe(op)} writes a vector of length {op.Size}, but the result has length {result.Length}", nameof(result));
    }

    /// <summary>Throws unless the block and the result hold exactly <paramref name="count"/> vectors of the operator's size.</summary>
    public static void CheckBlock(ILinearOperator op, ReadOnlySpan<double> block, int count, ReadOnlySpan<double> result)
    {
        if (count < 0) throw new ArgumentOutOfRangeException(nameof(count), count, "a block holds a non-negative number of vectors");
        long needed = (long)count * op.Size;
        if (block.Length != needed) throw new ArgumentException($"a block of {count} vectors for {Describe(op)} has {needed} values, got {block.Length}", nameof(block));
        if (result.Length != needed) throw new ArgumentException($"a block of {count} vectors for {Describe(op)} has {needed} values, but the result has {result.Length}", nameof(result));
    }

    /// <summary>
    /// The explicit matrix of <paramref name="op"/> (row-major n×n), from n products with the unit vectors,
    /// applied in blocks of <paramref name="blockSize"/>. The result is symmetrised, (M + Mᵀ)/2, because a
    /// Hessian applied by the R-operator is symmetric only up to rounding.
    /// </summary>
    public static double[] ToDense(ILinearOperator op, int blockSize = 32)
    {
        ArgumentNullException.ThrowIfNull(op);
        if (blockSize < 1) throw new ArgumentOutOfRangeException(nameof(blockSize), blockSize, "the block size must be at least 1");
        int n = op.Size;
        if ((long)n * n > Array.MaxLength) throw new ArgumentException($"the dense matrix of {Describe(op)} would have {(long)n * n} entries, more than an array holds", nameof(op));
        var matrix = new double[n * n];
        int width = Math.Min(blockSize, n);
        var units = new double[width * n];
        for (int start = 0; start < n; start += width)
        {
            int count = Math.Min(width, n - start);
            var block = units.AsSpan(0, count * n);
            block.Clear();
            for (int j = 0; j < count; j++) block[j * n + start + j] = 1;
            // column (start + j) of M is A e_(start+j); stored as row (start + j) and symmetrised below
            op.ApplyBlock(block, count, matrix.AsSpan(start * n, count * n));
        }
        for (int i = 0; i < n; i++)
            for (int j = i + 1; j < n; j++)
            {
                double mean = 0.5 * (matrix[i * n + j] + matrix[j * n + i]);
                matrix[i * n + j] = matrix[j * n + i] = mean;
            }
        return matrix;
    }

    /// <summary>c·A (a <see cref="SumOperator"/> of one term).</summary>
    public static SumOperator Scale(this ILinearOperator op, double factor) => new([op], [factor]);

    /// <summary>A + σI (a <see cref="SumOperator"/> of one term).</summary>
    public static SumOperator Shift(this ILinearOperator op, double sigma) => new([op], [1.0], sigma);

    /// <summary>A² (a <see cref="ProductOperator"/>); e.g. <c>h.Scale(-eta).Shift(1).Square()</c> is (I − ηH)².</summary>
    public static ProductOperator Square(this ILinearOperator op) => new(op);

    /// <summary>P_bᵀ A P_b for the coordinates [offset, offset + count) (a <see cref="RestrictedOperator"/>).</summary>
    public static RestrictedOperator Restrict(this ILinearOperator op, int offset, int count) => new(op, offset, count);

    internal static string Describe(ILinearOperator op) => $"{op.GetType().Name} of size {op.Size}";
}

/// <summary>An explicit dense symmetric matrix (row-major n×n) as an operator: the reference in tests.</summary>
public sealed class DenseOperator : ILinearOperator
{
    private readonly double[] matrix;

    public DenseOperator(double[] matrix, int size)
    {
        ArgumentNullException.ThrowIfNull(matrix);
        if (size < 1) throw new ArgumentOutOfRangeException(nameof(size), size, "a matrix needs at least one row");
        if (matrix.Length != (long)size * size) throw new ArgumentException($"a {size}x{size} matrix needs {(long)size * size} values, got {matrix.Length}", nameof(matrix));
        this.matrix = matrix;
        Size = size;
    }

    public int Size { get; }

    public void Apply(ReadOnlySpan<double> v, Span<double> result)
    {
        LinearOperator.CheckVector(this, v, result);
        for (int i = 0; i < Size; i++) result[i] = TensorPrimitives.Dot(matrix.AsSpan(i * Size, Size), v);
    }

    /// <summary>All vectors at once: result (count×n) = block (count×n) · Aᵀ, one GEMM.</summary>
    public void ApplyBlock(ReadOnlySpan<double> block, int count, Span<double> result)
    {
        LinearOperator.CheckBlock(this, block, count, result);
        if (count == 0) return;
        Gemm.Multiply(false, true, count, Size, Size, 1.0, block, Size, matrix, Size, 0.0, result, Size);
    }
}
