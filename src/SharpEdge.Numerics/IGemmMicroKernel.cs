namespace SharpEdge.Numerics;

/// <summary>How a micro-kernel combines its product with the C it overwrites.</summary>
internal enum BetaMode
{
    /// <summary>C = alpha*AB (C is never read, so NaNs in it vanish).</summary>
    Overwrite,
    /// <summary>C = alpha*AB + C.</summary>
    Accumulate,
    /// <summary>C = alpha*AB + beta*C.</summary>
    Scale,
}

/// <summary>
/// A register-blocked GEMM micro-kernel together with the cache-block sizes tuned for it. Implemented by
/// structs so the generic driver is compiled once per kernel with every member folded to a constant.
/// </summary>
internal unsafe interface IGemmMicroKernel<T> where T : unmanaged
{
    /// <summary>Rows of C computed per call; A is packed in panels of this many rows.</summary>
    static abstract int Mr { get; }

    /// <summary>Columns of C computed per call; B is packed in panels of this many columns.</summary>
    static abstract int Nr { get; }

    /// <summary>Rows of A packed at once (the packed block stays in L2).</summary>
    static abstract int Mc { get; }

    /// <summary>Depth packed at once (one B micro-panel stays in L1).</summary>
    static abstract int Kc { get; }

    /// <summary>Columns of B packed at once (the packed block stays in L3).</summary>
    static abstract int Nc { get; }

    /// <summary>Whether packing may use x86 SIMD shuffles (false for the portable path, which must run anywhere).</summary>
    static abstract bool VectorizedPacking { get; }

    /// <summary>Whether this machine and runtime can execute the kernel.</summary>
    static abstract bool IsSupported { get; }

    /// <summary>Computes the whole (TransB) problem as dot products with this kernel's vector width; see <see cref="GemmDot{T, TSimd, TVector}"/>.</summary>
    static abstract void DotProducts(in GemmOperands<T> operands);

    /// <summary>
    /// c[i*ldc + j] = alpha * sum_p a[p*Mr + i] * b[p*bStride + j] + beta * c[i*ldc + j] for the full Mr x Nr tile;
    /// beta == 0 overwrites C without reading it.
    /// </summary>
    static abstract void Compute(int kc, T* a, T* b, nint bStride, T* c, nint ldc, T alpha, T beta);
}
