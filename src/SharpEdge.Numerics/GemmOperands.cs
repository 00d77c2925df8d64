namespace SharpEdge.Numerics;

/// <summary>
/// One validated, pinned GEMM problem: C[m,n] = alpha * op(A)[m,k] * op(B)[k,n] + beta * C, all row-major.
/// A thread's share of a larger problem is the same type, made by <see cref="Rows"/> or <see cref="Columns"/>.
/// </summary>
internal readonly unsafe struct GemmOperands<T> where T : unmanaged
{
    public readonly bool TransA, TransB;
    public readonly int M, N, K;
    public readonly T Alpha, Beta;
    public readonly T* A, B, C;
    public readonly nint Lda, Ldb, Ldc;

    public GemmOperands(bool transA, bool transB, int m, int n, int k, T alpha, T* a, nint lda, T* b, nint ldb, T beta, T* c, nint ldc)
    {
        TransA = transA;
        TransB = transB;
        M = m;
        N = n;
        K = k;
        Alpha = alpha;
        Beta = beta;
        A = a;
        B = b;
        C = c;
        Lda = lda;
        Ldb = ldb;
        Ldc = ldc;
    }

    /// <summary>Address of op(A)[row, depth].</summary>
    public T* AAt(int row, int depth) => TransA ? A + depth * Lda + row : A + row * Lda + depth;

    /// <summary>Address of op(B)[depth, column].</summary>
    public T* BAt(int depth, int column) => TransB ? B + column * Ldb + depth : B + depth * Ldb + column;

    /// <summary>The sub-problem that computes rows [start, start + count) of C.</summary>
    public GemmOperands<T> Rows(int start, int count) =>
        new(TransA, TransB, count, N, K, Alpha, AAt(start, 0), Lda, B, Ldb, Beta, C + start * Ldc, Ldc);

    /// <summary>The sub-problem that computes columns [start, start + count) of C.</summary>
    public GemmOperands<T> Columns(int start, int count) =>
        new(TransA, TransB, M, count, K, Alpha, A, Lda, BAt(0, start), Ldb, Beta, C + start, Ldc);
}
