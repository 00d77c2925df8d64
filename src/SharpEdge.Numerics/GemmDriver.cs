using System.Numerics;
using System.Runtime.CompilerServices;

namespace SharpEdge.Numerics;

/// <summary>
/// The single-threaded, cache-blocked GEMM loop nest (BLIS order): for each Nc-wide column block and Kc-deep
/// slice, pack B once (L3-resident); for each Mc-tall row block pack A (L2-resident); then sweep Nr x Mr tiles
/// so each B micro-panel stays in L1 while the A panels stream past it.
/// </summary>
internal static unsafe class GemmDriver<T, TKernel>
    where T : unmanaged, INumber<T>
    where TKernel : struct, IGemmMicroKernel<T>
{
    // Depth up to which a block of C is swept row by row (see MacroKernel).
    private const int ShallowDepth = 64;

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void Run(in GemmOperands<T> op)
    {
        int mr = TKernel.Mr, nr = TKernel.Nr;

        // Equal-sized blocks avoid a thin last block (e.g. k = 600 runs as 300 + 300, not 512 + 88).
        int kcStep = BalancedStep(op.K, TKernel.Kc, 1);
        int mcStep = BalancedStep(op.M, TKernel.Mc, mr);
        int ncStep = BalancedStep(op.N, TKernel.Nc, nr);

        // With a single row block, each packed B element would be used by only one block of A: when B's rows
        // are contiguous (no transpose) the kernels can read it in place instead, skipping a full copy of B.
        // Only a partial last panel is then packed (zero-padded to Nr columns).
        bool packB = op.TransB || op.M > mcStep;

        var workspace = GemmWorkspace<T>.ForCurrentThread;
        T* packedB = workspace.PackedB(kcStep * (packB ? ncStep : nr));
        T* packedA = workspace.PackedA(mcStep * kcStep);
        T* tile = workspace.Tile(mr * nr);

        for (int jc = 0; jc < op.N; jc += ncStep)
        {
            int nc = Math.Min(ncStep, op.N - jc);
            for (int pc = 0; pc < op.K; pc += kcStep)
            {
                int kc = Math.Min(kcStep, op.K - pc);
                T beta = pc == 0 ? op.Beta : T.One; // later depth slices add onto the first one's result
                int inPlaceCols = packB ? 0 : nc / nr * nr;
                if (inPlaceCols < nc)
                {
                    GemmPacking.PackB<T, TKernel>(op.BAt(pc, jc + inPlaceCols), op.Ldb, op.TransB, nc - inPlaceCols, kc, packedB);
                }

                for (int ic = 0; ic < op.M; ic += mcStep)
                {
                    int mc = Math.Min(mcStep, op.M - ic);
                    GemmPacking.PackA<T, TKernel>(op.AAt(ic, pc), op.Lda, op.TransA, mc, kc, packedA);
                    T* c = op.C + ic * op.Ldc + jc;
                    if (inPlaceCols > 0)
                    {
                        MacroKernel(mc, inPlaceCols, kc, packedA, op.BAt(pc, jc), op.Ldb, nr, c, op.Ldc, op.Alpha, beta, tile);
                    }

                    if (inPlaceCols < nc)
                    {
                        MacroKernel(mc, nc - inPlaceCols, kc, packedA, packedB, nr, nr * kc, c + inPlaceCols, op.Ldc, op.Alpha, beta, tile);
                    }
                }
            }
        }
    }

    /// <summary>C[0..mc, 0..nc) = alpha * packedA * B + beta * C, tile by tile. B's rows are bStride apart and
    /// consecutive Nr-wide column panels panelStep apart (packed: Nr and Nr*kc; in place: ldb and Nr).</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void MacroKernel(int mc, int nc, int kc, T* packedA, T* b, nint bStride, nint panelStep, T* c, nint ldc, T alpha, T beta, T* tile)
    {
        int mr = TKernel.Mr, nr = TKernel.Nr;
        if (kc <= ShallowDepth)
        {
            // Shallow products are bound by writing C: sweep it row-wise so the stores stream. All of B's
            // panels are then reused from L1/L2 by every row of tiles, which costs little at this depth.
            for (int ir = 0; ir < mc; ir += mr)
            {
                int rows = Math.Min(mr, mc - ir);
                T* bPanel = b;
                for (int jr = 0; jr < nc; jr += nr, bPanel += panelStep)
                    Tile(kc, packedA + ir * kc, bPanel, bStride, c + ir * ldc + jr, ldc, rows, Math.Min(nr, nc - jr), alpha, beta, tile);
            }

            return;
        }

        // Each B micro-panel stays in L1 while every A panel of the block streams past it.
        for (int jr = 0; jr < nc; jr += nr, b += panelStep)
        {
            int cols = Math.Min(nr, nc - jr);
            for (int ir = 0; ir < mc; ir += mr)
                Tile(kc, packedA + ir * kc, b, bStride, c + ir * ldc + jr, ldc, Math.Min(mr, mc - ir), cols, alpha, beta, tile);
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Tile(int kc, T* aPanel, T* bPanel, nint bStride, T* c, nint ldc, int rows, int cols, T alpha, T beta, T* tile)
    {
        if (rows == TKernel.Mr && cols == TKernel.Nr)
        {
            TKernel.Compute(kc, aPanel, bPanel, bStride, c, ldc, alpha, beta);
        }
        else
        {
            // Edge tile: compute the padded full tile aside, then merge only the valid part.
            TKernel.Compute(kc, aPanel, bPanel, bStride, tile, TKernel.Nr, T.One, T.Zero);
            MergeTile(tile, TKernel.Nr, rows, cols, c, ldc, alpha, beta);
        }
    }

    private static void MergeTile(T* tile, int tileStride, int rows, int cols, T* c, nint ldc, T alpha, T beta)
    {
        for (int i = 0; i < rows; i++, tile += tileStride, c += ldc)
        {
            if (beta == T.Zero)
            {
                for (int j = 0; j < cols; j++) c[j] = alpha * tile[j];
            }
            else
            {
                for (int j = 0; j < cols; j++) c[j] = alpha * tile[j] + beta * c[j];
            }
        }
    }

    /// <summary>The step that splits <paramref name="extent"/> into the fewest blocks of at most
    /// <paramref name="limit"/>, as equal as possible and rounded up to a multiple of <paramref name="granule"/>.</summary>
    private static int BalancedStep(int extent, int limit, int granule)
    {
        if (extent <= 0) return granule;
        int blocks = (extent + limit - 1) / limit;
        int step = (extent + blocks - 1) / blocks;
        return (step + granule - 1) / granule * granule;
    }
}
