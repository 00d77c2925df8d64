using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;
using SharpEdge.Numerics;

namespace SharpEdge.TeacherStudent;

/// <summary>Which SGD kernel the fast trainer runs; all compute the same float64 SGD.</summary>
public enum SimdPath
{
    /// <summary>The fastest the machine supports: <see cref="Avx512"/>, else <see cref="Vector256"/>, else <see cref="Scalar"/>.</summary>
    Auto,

    /// <summary>8 doubles per vector (AVX-512F; used only where the runtime accelerates Vector512).</summary>
    Avx512,

    /// <summary>4 doubles per vector (AVX2 + FMA).</summary>
    Vector256,

    /// <summary>Plain scalar loops with <see cref="Math.Tanh"/>; runs anywhere.</summary>
    Scalar,
}

/// <summary>Run-time detection of the SGD kernel to use.</summary>
public static class SimdPaths
{
    /// <summary>True when <paramref name="path"/> can run here.</summary>
    public static bool IsSupported(SimdPath path) => path switch
    {
        SimdPath.Auto or SimdPath.Scalar => true,
        SimdPath.Avx512 => Avx512F.IsSupported && Vector512.IsHardwareAccelerated && SimdMath.IsHardwareAccelerated,
        SimdPath.Vector256 => SimdMath.IsHardwareAccelerated,
        _ => false,
    };

    /// <summary>The concrete kernel for <paramref name="requested"/>; throws if it cannot run on this machine.</summary>
    public static SimdPath Resolve(SimdPath requested)
    {
        if (requested == SimdPath.Auto)
            return IsSupported(SimdPath.Avx512) ? SimdPath.Avx512 : IsSupported(SimdPath.Vector256) ? SimdPath.Vector256 : SimdPath.Scalar;
        if (!IsSupported(requested))
            throw new PlatformNotSupportedException($"the {requested} SGD kernel needs instructions this machine (or runtime setting) does not offer");
        return requested;
    }

    /// <summary>Units of K processed together by a kernel; K is zero-padded to a multiple of it.</summary>
    internal static int UnitTile(SimdPath resolved) => resolved switch
    {
        SimdPath.Avx512 => Avx512SgdKernel.UnitTile,
        SimdPath.Vector256 => Vector256SgdKernel.UnitTile,
        _ => 1,
    };
}
