using System.Numerics;
using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace SharpEdge.Numerics;

/// <summary>
/// Copies blocks of op(A) and op(B) into the panel layout the micro-kernels stream through:
/// A as panels of Mr rows stored depth-major (dst[p*Mr + i]), B as panels of Nr columns (dst[p*Nr + j]).
/// Partial panels are zero-padded so the kernels always compute full tiles. The transpose flags only change
/// which of two copy patterns applies: a panel row is either contiguous in memory or strided.
/// </summary>
internal static unsafe class GemmPacking
{
    /// <summary>Packs op(A)[0..rows, 0..kc) starting at <paramref name="a"/> (= address of op(A)[0,0]).</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void PackA<T, TKernel>(T* a, nint lda, bool transA, int rows, int kc, T* dst)
        where T : unmanaged, INumber<T>
        where TKernel : struct, IGemmMicroKernel<T>
    {
        int mr = TKernel.Mr;
        for (int row = 0; row < rows; row += mr, dst += mr * kc)
        {
            int panelRows = Math.Min(mr, rows - row);
            if (transA)
                PackContiguous(a + row, lda, panelRows, mr, kc, dst);
            else
                PackStrided(a + row * lda, lda, panelRows, mr, kc, dst, TKernel.VectorizedPacking);
        }
    }

    /// <summary>Packs op(B)[0..kc, 0..cols) starting at <paramref name="b"/> (= address of op(B)[0,0]).</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void PackB<T, TKernel>(T* b, nint ldb, bool transB, int cols, int kc, T* dst)
        where T : unmanaged, INumber<T>
        where TKernel : struct, IGemmMicroKernel<T>
    {
        int nr = TKernel.Nr;
        for (int col = 0; col < cols; col += nr, dst += nr * kc)
        {
            int panelCols = Math.Min(nr, cols - col);
            if (transB)
                PackStrided(b + col * ldb, ldb, panelCols, nr, kc, dst, TKernel.VectorizedPacking);
            else
                PackContiguous(b + col, ldb, panelCols, nr, kc, dst);
        }
    }

    /// <summary>dst[p*width + i] = src[p*ld + i] for i &lt; count, zero for count &lt;= i &lt; width.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void PackContiguous<T>(T* src, nint ld, int count, int width, int kc, T* dst)
        where T : unmanaged, INumber<T>
    {
        if (count == width)
        {
            // width is a JIT-time constant here, so the block copy unrolls into a few vector moves.
            uint bytes = (uint)(width * sizeof(T));
            for (int p = 0; p < kc; p++, src += ld, dst += width)
                Unsafe.CopyBlockUnaligned(dst, src, bytes);
            return;
        }

        for (int p = 0; p < kc; p++, src += ld, dst += width)
        {
            int i = 0;
            for (; i < count; i++) dst[i] = src[i];
            for (; i < width; i++) dst[i] = T.Zero;
        }
    }

    /// <summary>dst[p*width + i] = src[i*ld + p] for i &lt; count, zero for count &lt;= i &lt; width.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void PackStrided<T>(T* src, nint ld, int count, int width, int kc, T* dst, bool vectorized)
        where T : unmanaged, INumber<T>
    {
        int i = 0;
        if (vectorized)
        {
            for (; i + 4 <= count; i += 4)
                TransposeFourRows(src + i * ld, ld, kc, dst + i, width);
        }

        for (; i < count; i++)
        {
            T* row = src + i * ld;
            for (int p = 0; p < kc; p++) dst[p * width + i] = row[p];
        }

        for (; i < width; i++)
        {
            for (int p = 0; p < kc; p++) dst[p * width + i] = T.Zero;
        }
    }

    /// <summary>dst[p*width + r] = src[r*ld + p] for r &lt; 4, in 4x4 register transposes.</summary>
    private static void TransposeFourRows<T>(T* src, nint ld, int kc, T* dst, int width)
        where T : unmanaged, INumber<T>
    {
        int p = 0;
        if (typeof(T) == typeof(float) && Sse.IsSupported)
        {
            float* s = (float*)src;
            float* d = (float*)dst;
            for (; p + 4 <= kc; p += 4, s += 4, d += 4 * width)
            {
                var r0 = Sse.LoadVector128(s);
                var r1 = Sse.LoadVector128(s + ld);
                var r2 = Sse.LoadVector128(s + 2 * ld);
                var r3 = Sse.LoadVector128(s + 3 * ld);
                var t0 = Sse.UnpackLow(r0, r1);   // r0p0 r1p0 r0p1 r1p1
                var t1 = Sse.UnpackHigh(r0, r1);  // r0p2 r1p2 r0p3 r1p3
                var t2 = Sse.UnpackLow(r2, r3);
                var t3 = Sse.UnpackHigh(r2, r3);
                Sse.Store(d, Sse.MoveLowToHigh(t0, t2));
                Sse.Store(d + width, Sse.MoveHighToLow(t2, t0));
                Sse.Store(d + 2 * width, Sse.MoveLowToHigh(t1, t3));
                Sse.Store(d + 3 * width, Sse.MoveHighToLow(t3, t1));
            }
        }
        else if (typeof(T) == typeof(double) && Avx.IsSupported)
        {
            double* s = (double*)src;
            double* d = (double*)dst;
            for (; p + 4 <= kc; p += 4, s += 4, d += 4 * width)
            {
                var r0 = Avx.LoadVector256(s);
                var r1 = Avx.LoadVector256(s + ld);
                var r2 = Avx.LoadVector256(s + 2 * ld);
                var r3 = Avx.LoadVector256(s + 3 * ld);
                var t0 = Avx.UnpackLow(r0, r1);   // r0p0 r1p0 r0p2 r1p2
                var t1 = Avx.UnpackHigh(r0, r1);  // r0p1 r1p1 r0p3 r1p3
                var t2 = Avx.UnpackLow(r2, r3);
                var t3 = Avx.UnpackHigh(r2, r3);
                Avx.Store(d, Avx.Permute2x128(t0, t2, 0x20));
                Avx.Store(d + width, Avx.Permute2x128(t1, t3, 0x20));
                Avx.Store(d + 2 * width, Avx.Permute2x128(t0, t2, 0x31));
                Avx.Store(d + 3 * width, Avx.Permute2x128(t1, t3, 0x31));
            }
        }

        for (; p < kc; p++)
        {
            for (int r = 0; r < 4; r++) dst[p * width + r] = src[r * ld + p];
        }
    }
}
