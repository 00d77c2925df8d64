using System.Runtime.InteropServices;

namespace SharpEdge.Gpu.Curvature;

/// <summary>
/// The four cuBLAS entry points the GPU curvature engine needs (handle, stream, SGEMM, DGEMM), bound at run time from
/// the CUDA toolkit's or PyTorch's libcublas (12 or 13); nothing native ships with us. Row-major products are
/// computed as their column-major transposes: C = op(A) op(B) ⇔ Cᵀ = op(B)ᵀ op(A)ᵀ.
/// </summary>
/// <remarks>
/// cuBLAS runs on the CUDA context current on the calling thread, the one ILGPU's accelerator made current. FP32
/// products use cuBLAS's default math (no TF32), as PyTorch's matmul does by default; FP64 products use the H100's
/// FP64 tensor cores by themselves.
/// </remarks>
internal sealed unsafe class Cublas : IDisposable
{
    /// <summary>A libcublas path to use before the usual places (a CUDA toolkit, a PyTorch wheel's nvidia/*/lib).</summary>
    public const string PathVariable = "SHARPEDGE_CUBLAS";

    private const int NoTranspose = 0, Transpose = 1;

    private readonly nint library, handle;
    private readonly delegate* unmanaged<nint, int, int, int, int, int, float*, nint, int, nint, int, float*, nint, int, int> sgemm;
    private readonly delegate* unmanaged<nint, int, int, int, int, int, double*, nint, int, nint, int, double*, nint, int, int> dgemm;
    private readonly delegate* unmanaged<nint, int> destroy;

    private Cublas(nint library)
    {
        this.library = library;
        var create = (delegate* unmanaged<nint*, int>)NativeLibrary.GetExport(library, "cublasCreate_v2");
        sgemm = (delegate* unmanaged<nint, int, int, int, int, int, float*, nint, int, nint, int, float*, nint, int, int>)NativeLibrary.GetExport(library, "cublasSgemm_v2");
        dgemm = (delegate* unmanaged<nint, int, int, int, int, int, double*, nint, int, nint, int, double*, nint, int, int>)NativeLibrary.GetExport(library, "cublasDgemm_v2");
        destroy = (delegate* unmanaged<nint, int>)NativeLibrary.GetExport(library, "cublasDestroy_v2");
        nint h;
        Check(create(&h), "cublasCreate");
        handle = h;
    }

    /// <summary>Binds libcublas and creates a handle that queues on <paramref name="stream"/>, or returns null (and why) when there is none or it fails.</summary>
    public static Cublas? TryCreate(nint stream, out string? reason)
    {
        reason = null;
        nint library = 0;
        foreach (var candidate in Candidates())
            if (NativeLibrary.TryLoad(candidate, out library)) break;
        if (library == 0)
        {
            reason = $"no libcublas found (set {PathVariable} to its path)";
            return null;
        }
        try
        {
            var cublas = new Cublas(library);
            var setStream = (delegate* unmanaged<nint, nint, int>)NativeLibrary.GetExport(library, "cublasSetStream_v2");
            Check(setStream(cublas.handle, stream), "cublasSetStream");
            return cublas;
        }
        catch (Exception e) when (e is EntryPointNotFoundException or InvalidOperationException)
        {
            reason = e.Message;
            return null;
        }
    }

    /// <summary>C (m×n, row-major) = α op(A) op(B) + β C on device pointers; T is float or double.</summary>
    public void Gemm<T>(int m, int n, int k, nint a, int lda, bool transposeA, nint b, int ldb, bool transposeB, nint c, double alpha, double beta)
        where T : unmanaged
    {
        int opB = transposeB ? Transpose : NoTranspose, opA = transposeA ? Transpose : NoTranspose;
        int status;
        if (typeof(T) == typeof(float))
        {
            float al = (float)alpha, be = (float)beta;
            status = sgemm(handle, opB, opA, n, m, k, &al, b, ldb, a, lda, &be, c, n);
        }
        else
        {
            status = dgemm(handle, opB, opA, n, m, k, &alpha, b, ldb, a, lda, &beta, c, n);
        }
        Check(status, "cublasGemm");
    }

    public void Dispose()
    {
        destroy(handle);
        NativeLibrary.Free(library);
    }

    private static void Check(int status, string call)
    {
        if (status != 0) throw new InvalidOperationException($"{call} failed with cuBLAS status {status}");
    }

    private static IEnumerable<string> Candidates()
    {
        if (Environment.GetEnvironmentVariable(PathVariable) is { Length: > 0 } path) yield return path;
        foreach (var name in new[] { "libcublas.so.13", "libcublas.so.12" })
        {
            yield return name;
            foreach (var folder in new[] { "/usr/local/cuda/lib64", "/usr/local/cuda/targets/x86_64-linux/lib", "/usr/lib/x86_64-linux-gnu" })
                yield return Path.Combine(folder, name);
        }
    }
}
