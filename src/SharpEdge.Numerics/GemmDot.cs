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
    /// <summary>Rows of A per tile: 4 x 4 (or 8 x 3) accumulators need a 32-register file (AVX-512), else 2 x 4.</summary>
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

        T* sums = stackalloc T[8 * TileCols];
        if (TileRows == 4 && op.M > 4)
        {
            RunTall(op, a, lda, sums);
            return;
        }

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

    /// <summary>
    /// More than four rows on a 32-register file: 8 x 3 tiles, so each row of B (the weight matrix of a layer) is
    /// read once per eight rows of A, and a step loads 11 vectors for 24 multiply-adds instead of 8 for 16. With
    /// 4 x 4 tiles the A rows (L2-resident for deep k) are re-read for every four columns and the L2-to-L1 bandwidth
    /// caps the kernel at about two thirds of the FMA peak.
    /// </summary>
    private static void RunTall(in GemmOperands<T> op, T* a, nint lda, T* sums)
    {
        for (int j = 0; j < op.N; j += 3)
        {
            int cols = Math.Min(3, op.N - j);
            T* b = op.B + j * op.Ldb;
            for (int i = 0; i < op.M; i += 8)
            {
                int rows = Math.Min(8, op.M - i);
                Tile8x3(op.K, a + i * lda, lda, rows, b, op.Ldb, cols, sums);
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

    /// <summary>sums[r*4 + s] = dot(a row r, b row s) for eight rows of A and three of B: 24 accumulators
    /// (32-register file). Rows or columns past the valid counts repeat the last valid one.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void Tile8x3(int k, T* a, nint lda, int rows, T* b, nint ldb, int cols, T* sums)
    {
        T* a0 = a, a1 = a + Math.Min(1, rows - 1) * lda, a2 = a + Math.Min(2, rows - 1) * lda, a3 = a + Math.Min(3, rows - 1) * lda;
        T* a4 = a + Math.Min(4, rows - 1) * lda, a5 = a + Math.Min(5, rows - 1) * lda, a6 = a + Math.Min(6, rows - 1) * lda, a7 = a + Math.Min(7, rows - 1) * lda;
        T* b0 = b, b1 = b + Math.Min(1, cols - 1) * ldb, b2 = b + Math.Min(2, cols - 1) * ldb;
        TVector s00 = TSimd.Zero, s01 = TSimd.Zero, s02 = TSimd.Zero, s10 = TSimd.Zero, s11 = TSimd.Zero, s12 = TSimd.Zero;
        TVector s20 = TSimd.Zero, s21 = TSimd.Zero, s22 = TSimd.Zero, s30 = TSimd.Zero, s31 = TSimd.Zero, s32 = TSimd.Zero;
        TVector s40 = TSimd.Zero, s41 = TSimd.Zero, s42 = TSimd.Zero, s50 = TSimd.Zero, s51 = TSimd.Zero, s52 = TSimd.Zero;
        TVector s60 = TSimd.Zero, s61 = TSimd.Zero, s62 = TSimd.Zero, s70 = TSimd.Zero, s71 = TSimd.Zero, s72 = TSimd.Zero;
        int lanes = TSimd.Lanes;
        int p = 0;
        for (; p <= k - lanes; p += lanes)
        {
            var y0 = TSimd.Load(b0 + p);
            var y1 = TSimd.Load(b1 + p);
            var y2 = TSimd.Load(b2 + p);
            var x = TSimd.Load(a0 + p);
            s00 = TSimd.MultiplyAdd(x, y0, s00);
            s01 = TSimd.MultiplyAdd(x, y1, s01);
            s02 = TSimd.MultiplyAdd(x, y2, s02);
            x = TSimd.Load(a1 + p);
            s10 = TSimd.MultiplyAdd(x, y0, s10);
            s11 = TSimd.MultiplyAdd(x, y1, s11);
            s12 = TSimd.MultiplyAdd(x, y2, s12);
            x = TSimd.Load(a2 + p);
            s20 = TSimd.MultiplyAdd(x, y0, s20);
            s21 = TSimd.MultiplyAdd(x, y1, s21);
            s22 = TSimd.MultiplyAdd(x, y2, s22);
            x = TSimd.Load(a3 + p);
            s30 = TSimd.MultiplyAdd(x, y0, s30);
            s31 = TSimd.MultiplyAdd(x, y1, s31);
            s32 = TSimd.MultiplyAdd(x, y2, s32);
            x = TSimd.Load(a4 + p);
            s40 = TSimd.MultiplyAdd(x, y0, s40);
            s41 = TSimd.MultiplyAdd(x, y1, s41);
            s42 = TSimd.MultiplyAdd(x, y2, s42);
            x = TSimd.Load(a5 + p);
            s50 = TSimd.MultiplyAdd(x, y0, s50);
            s51 = TSimd.MultiplyAdd(x, y1, s51);
            s52 = TSimd.MultiplyAdd(x, y2, s52);
            x = TSimd.Load(a6 + p);
            s60 = TSimd.MultiplyAdd(x, y0, s60);
            s61 = TSimd.MultiplyAdd(x, y1, s61);
            s62 = TSimd.MultiplyAdd(x, y2, s62);
            x = TSimd.Load(a7 + p);
            s70 = TSimd.MultiplyAdd(x, y0, s70);
            s71 = TSimd.MultiplyAdd(x, y1, s71);
            s72 = TSimd.MultiplyAdd(x, y2, s72);
        }

        Row(sums, TSimd.Sum(s00), TSimd.Sum(s01), TSimd.Sum(s02), a0, b0, b1, b2, p, k);
        Row(sums + TileCols, TSimd.Sum(s10), TSimd.Sum(s11), TSimd.Sum(s12), a1, b0, b1, b2, p, k);
        Row(sums + 2 * TileCols, TSimd.Sum(s20), TSimd.Sum(s21), TSimd.Sum(s22), a2, b0, b1, b2, p, k);
        Row(sums + 3 * TileCols, TSimd.Sum(s30), TSimd.Sum(s31), TSimd.Sum(s32), a3, b0, b1, b2, p, k);
        Row(sums + 4 * TileCols, TSimd.Sum(s40), TSimd.Sum(s41), TSimd.Sum(s42), a4, b0, b1, b2, p, k);
        Row(sums + 5 * TileCols, TSimd.Sum(s50), TSimd.Sum(s51), TSimd.Sum(s52), a5, b0, b1, b2, p, k);
        Row(sums + 6 * TileCols, TSimd.Sum(s60), TSimd.Sum(s61), TSimd.Sum(s62), a6, b0, b1, b2, p, k);
        Row(sums + 7 * TileCols, TSimd.Sum(s70), TSimd.Sum(s71), TSimd.Sum(s72), a7, b0, b1, b2, p, k);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Row(T* sums, T s0, T s1, T s2, T* a, T* b0, T* b1, T* b2, int p, int k)
    {
        sums[0] = s0 + Tail(a, b0, p, k);
        sums[1] = s1 + Tail(a, b1, p, k);
        sums[2] = s2 + Tail(a, b2, p, k);
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
