using System.Numerics;
using System.Runtime.CompilerServices;

namespace SharpEdge.Numerics;

/// <summary>
/// C = alpha * A * B^T + beta * C as row-by-row dot products, for few rows of C (small batches). Both A and B^T's
/// storage (B, n x k) are then read along their contiguous rows, so B needs no packing: packing would cost as much
/// as the whole multiply. Each block of four B rows is loaded once and dotted with every row of A.
/// </summary>
internal static unsafe class GemmDot<T, TSimd, TVector>
    where T : unmanaged, INumber<T>
    where TSimd : struct, ISimd<T, TVector>
    where TVector : struct
{
    /// <summary>Rows of A per tile: 4 x 4 accumulators need a 32-register file (AVX-512), else 2 x 4.</summary>
    private static int TileRows => TSimd.Lanes * sizeof(T) >= 64 ? 4 : 2;

    private const int TileCols = 4;

    /// <summary>Computes C for the operands, which must have TransB set. A with TransA is first copied into rows.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void Run(in GemmOperands<T> op)
    {
        T* a = op.A;
        nint lda = op.Lda;
        if (op.TransA)
        {
            // op(A) = A^T is m x k with stride lda along k: gather it into contiguous rows once (m is small).
            a = GemmWorkspace<T>.ForCurrentThread.PackedA(op.M * op.K);
            for (int p = 0; p < op.K; p++)
            {
                T* source = op.A + p * op.Lda;
                for (int i = 0; i < op.M; i++) a[i * op.K + p] = source[i];
            }

            lda = op.K;
        }

        T* sums = stackalloc T[4 * TileCols];
        int tileRows = TileRows;
        for (int j = 0; j < op.N; j += TileCols)
        {
            int cols = Math.Min(TileCols, op.N - j);
            T* b = op.B + j * op.Ldb;
            for (int i = 0; i < op.M; i += tileRows)
            {
                int rows = Math.Min(tileRows, op.M - i);
                if (tileRows == 4)
                    Tile4x4(op.K, a + i * lda, lda, rows, b, op.Ldb, cols, sums);
                else
                    Tile2x4(op.K, a + i * lda, lda, rows, b, op.Ldb, cols, sums);
                Store(sums, rows, cols, op.C + i * op.Ldc + j, op.Ldc, op.Alpha, op.Beta);
            }
        }
    }

    private static void Store(T* sums, int rows, int cols, T* c, nint ldc, T alpha, T beta)
    {
        for (int r = 0; r < rows; r++, c += ldc)
        {
            for (int s = 0; s < cols; s++)
            {
                T value = alpha * sums[r * TileCols + s];
                c[s] = beta == T.Zero ? value : value + beta * c[s];
            }
        }
    }

    /// <summary>sums[r*4 + s] = dot(a row r, b row s). Rows past the valid count repeat the last valid row
    /// (their sums are ignored), so the loop needs no row checks.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void Tile4x4(int k, T* a, nint lda, int rows, T* b, nint ldb, int cols, T* sums)
    {
        T* a0 = a, a1 = a + Math.Min(1, rows - 1) * lda, a2 = a + Math.Min(2, rows - 1) * lda, a3 = a + Math.Min(3, rows - 1) * lda;
        T* b0 = b, b1 = b + Math.Min(1, cols - 1) * ldb, b2 = b + Math.Min(2, cols - 1) * ldb, b3 = b + Math.Min(3, cols - 1) * ldb;
        TVector s00 = TSimd.Zero, s01 = TSimd.Zero, s02 = TSimd.Zero, s03 = TSimd.Zero;
        TVector s10 = TSimd.Zero, s11 = TSimd.Zero, s12 = TSimd.Zero, s13 = TSimd.Zero;
        TVector s20 = TSimd.Zero, s21 = TSimd.Zero, s22 = TSimd.Zero, s23 = TSimd.Zero;
        TVector s30 = TSimd.Zero, s31 = TSimd.Zero, s32 = TSimd.Zero, s33 = TSimd.Zero;
        int lanes = TSimd.Lanes;
        int p = 0;
        for (; p <= k - lanes; p += lanes)
        {
            var x0 = TSimd.Load(a0 + p);
            var x1 = TSimd.Load(a1 + p);
            var x2 = TSimd.Load(a2 + p);
            var x3 = TSimd.Load(a3 + p);
            var y = TSimd.Load(b0 + p);
            s00 = TSimd.MultiplyAdd(x0, y, s00);
            s10 = TSimd.MultiplyAdd(x1, y, s10);
            s20 = TSimd.MultiplyAdd(x2, y, s20);
            s30 = TSimd.MultiplyAdd(x3, y, s30);
            y = TSimd.Load(b1 + p);
            s01 = TSimd.MultiplyAdd(x0, y, s01);
            s11 = TSimd.MultiplyAdd(x1, y, s11);
            s21 = TSimd.MultiplyAdd(x2, y, s21);
            s31 = TSimd.MultiplyAdd(x3, y, s31);
            y = TSimd.Load(b2 + p);
            s02 = TSimd.MultiplyAdd(x0, y, s02);
            s12 = TSimd.MultiplyAdd(x1, y, s12);
            s22 = TSimd.MultiplyAdd(x2, y, s22);
            s32 = TSimd.MultiplyAdd(x3, y, s32);
            y = TSimd.Load(b3 + p);
            s03 = TSimd.MultiplyAdd(x0, y, s03);
            s13 = TSimd.MultiplyAdd(x1, y, s13);
            s23 = TSimd.MultiplyAdd(x2, y, s23);
            s33 = TSimd.MultiplyAdd(x3, y, s33);
        }

        sums[0] = TSimd.Sum(s00) + Tail(a0, b0, p, k);
        sums[1] = TSimd.Sum(s01) + Tail(a0, b1, p, k);
        sums[2] = TSimd.Sum(s02) + Tail(a0, b2, p, k);
        sums[3] = TSimd.Sum(s03) + Tail(a0, b3, p, k);
        sums[4] = TSimd.Sum(s10) + Tail(a1, b0, p, k);
        sums[5] = TSimd.Sum(s11) + Tail(a1, b1, p, k);
        sums[6] = TSimd.Sum(s12) + Tail(a1, b2, p, k);
        sums[7] = TSimd.Sum(s13) + Tail(a1, b3, p, k);
        sums[8] = TSimd.Sum(s20) + Tail(a2, b0, p, k);
        sums[9] = TSimd.Sum(s21) + Tail(a2, b1, p, k);
        sums[10] = TSimd.Sum(s22) + Tail(a2, b2, p, k);
        sums[11] = TSimd.Sum(s23) + Tail(a2, b3, p, k);
        sums[12] = TSimd.Sum(s30) + Tail(a3, b0, p, k);
        sums[13] = TSimd.Sum(s31) + Tail(a3, b1, p, k);
        sums[14] = TSimd.Sum(s32) + Tail(a3, b2, p, k);
        sums[15] = TSimd.Sum(s33) + Tail(a3, b3, p, k);
    }

    /// <summary>As <see cref="Tile4x4"/> for two rows of A: eight accumulators fit a 16-register file.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void Tile2x4(int k, T* a, nint lda, int rows, T* b, nint ldb, int cols, T* sums)
    {
        T* a0 = a, a1 = a + Math.Min(1, rows - 1) * lda;
        T* b0 = b, b1 = b + Math.Min(1, cols - 1) * ldb, b2 = b + Math.Min(2, cols - 1) * ldb, b3 = b + Math.Min(3, cols - 1) * ldb;
        TVector s00 = TSimd.Zero, s01 = TSimd.Zero, s02 = TSimd.Zero, s03 = TSimd.Zero;
        TVector s10 = TSimd.Zero, s11 = TSimd.Zero, s12 = TSimd.Zero, s13 = TSimd.Zero;
        int lanes = TSimd.Lanes;
        int p = 0;
        for (; p <= k - lanes; p += lanes)
        {
            var x0 = TSimd.Load(a0 + p);
            var x1 = TSimd.Load(a1 + p);
            var y0 = TSimd.Load(b0 + p);
            var y1 = TSimd.Load(b1 + p);
            s00 = TSimd.MultiplyAdd(x0, y0, s00);
            s10 = TSimd.MultiplyAdd(x1, y0, s10);
            s01 = TSimd.MultiplyAdd(x0, y1, s01);
            s11 = TSimd.MultiplyAdd(x1, y1, s11);
            var y2 = TSimd.Load(b2 + p);
            var y3 = TSimd.Load(b3 + p);
            s02 = TSimd.MultiplyAdd(x0, y2, s02);
            s12 = TSimd.MultiplyAdd(x1, y2, s12);
            s03 = TSimd.MultiplyAdd(x0, y3, s03);
            s13 = TSimd.MultiplyAdd(x1, y3, s13);
        }

        sums[0] = TSimd.Sum(s00) + Tail(a0, b0, p, k);
        sums[1] = TSimd.Sum(s01) + Tail(a0, b1, p, k);
        sums[2] = TSimd.Sum(s02) + Tail(a0, b2, p, k);
        sums[3] = TSimd.Sum(s03) + Tail(a0, b3, p, k);
        sums[4] = TSimd.Sum(s10) + Tail(a1, b0, p, k);
        sums[5] = TSimd.Sum(s11) + Tail(a1, b1, p, k);
        sums[6] = TSimd.Sum(s12) + Tail(a1, b2, p, k);
        sums[7] = TSimd.Sum(s13) + Tail(a1, b3, p, k);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static T Tail(T* x, T* y, int start, int end)
    {
        T sum = T.Zero;
        for (int p = start; p < end; p++) sum += x[p] * y[p];
        return sum;
    }
}
