using System.Runtime.CompilerServices;
using ILGPU.Runtime.Cuda;

namespace SharpEdge.Gpu;

/// <summary>
/// The two float64 primitives whose rounding the kernel must control, per ILGPU backend. ILGPU's PTX backend has no
/// intrinsic for <see cref="Math.FusedMultiplyAdd(double, double, double)"/> (it emits a call to an undefined
/// function), and it writes <c>mul.f64</c>/<c>add.f64</c> without a rounding modifier, which ptxas may contract into
/// an FMA; where the CPU trainer rounds a product before adding it, the kernel must say so.
/// </summary>
internal interface IFloatOps
{
    /// <summary>a·b + c rounded once.</summary>
    double Fma(double a, double b, double c);

    /// <summary>a·b rounded on its own, never fused with a later addition.</summary>
    double Product(double a, double b);
}

/// <summary>.NET arithmetic, for ILGPU's CPU accelerator (which runs the kernel's IL as .NET code).</summary>
internal readonly struct ScalarOps : IFloatOps
{
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public double Fma(double a, double b, double c) => Math.FusedMultiplyAdd(a, b, c);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public double Product(double a, double b) => a * b;
}

/// <summary>Inline PTX: <c>fma.rn.f64</c>, and <c>mul.rn.f64</c>, which ptxas never contracts.</summary>
internal readonly struct PtxOps : IFloatOps
{
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public double Fma(double a, double b, double c)
    {
        CudaAsm.Emit("fma.rn.f64 %0, %1, %2, %3;", out double result, a, b, c);
        return result;
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public double Product(double a, double b)
    {
        CudaAsm.Emit("mul.rn.f64 %0, %1, %2;", out double result, a, b);
        return result;
    }
}
