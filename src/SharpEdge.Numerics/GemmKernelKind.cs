namespace SharpEdge.Numerics;

/// <summary>Which micro-kernel family <see cref="Gemm"/> runs.</summary>
public enum GemmKernelKind
{
    /// <summary>The fastest one this machine supports (<see cref="Gemm.DefaultKernel"/>).</summary>
    Auto,

    /// <summary>512-bit AVX-512F kernels (used when the runtime reports Vector512 as accelerated).</summary>
    Avx512,

    /// <summary>256-bit AVX2 + FMA kernels.</summary>
    Avx2,

    /// <summary>System.Numerics.Vector&lt;T&gt; kernels that run on any hardware.</summary>
    Portable,
}
