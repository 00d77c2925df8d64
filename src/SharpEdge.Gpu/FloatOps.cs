using System.Runtime.CompilerServices;
using ILGPU;

namespace SharpEdge.Gpu;

/// <summary>
/// The two float64 primitives whose rounding the kernel must control, per ILGPU backend. ILGPU's PTX backend has no
/// intrinsic for <see cref="Math.FusedMultiplyAdd(double, double, double)"/> (it emits a call to an undefined
/// function), and it writes <c>mul.f64</c>/<c>add.f64</c> without a rounding modifier, which ptxas contracts into an
/// FMA (<c>--fmad</c>, on by default): the FMA is written as that pair, and a product the CPU trainer rounds before
/// adding is kept apart from the addition by an opaque step.
/// </summary>
/// <remarks>
/// Inline PTX (<c>CudaAsm.Emit</c> with <c>fma.rn.f64</c>/<c>mul.rn.f64</c>) states the rounding directly, but ILGPU
/// passes the asm's result through a local-memory temporary, a store and a load per FMA: measured on an H100, the
/// kernel ran 12× slower that way. The device check (<c>bench/gpu_check.sh</c>) confirms the contraction by
/// comparing the kernel's trajectories with the CPU trainer's bit for bit.
/// </remarks>
internal interface IFloatOps
{
    /// <summary>a·b + c rounded once.</summary>
    double Fma(double a, double b, double c);

    /// <summary>a·b rounded on its own, never fused with a later addition; <paramref name="zero"/> is 0, read at run time (<see cref="EnsembleShape.Zero"/>).</summary>
    double Product(double a, double b, ulong zero);
}

/// <summary>.NET arithmetic, for ILGPU's CPU accelerator (which runs the kernel's IL as .NET code).</summary>
internal readonly struct ScalarOps : IFloatOps
{
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public double Fma(double a, double b, double c) => Math.FusedMultiplyAdd(a, b, c);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public double Product(double a, double b, ulong zero) => a * b;
}

/// <summary>
/// For the PTX backend: the FMA as <c>mul.f64</c> + <c>add.f64</c>, which ptxas contracts; the product XORed with a
/// zero that ptxas cannot know is zero, so the multiplication no longer feeds an addition it could fuse with.
/// </summary>
internal readonly struct PtxOps : IFloatOps
{
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public double Fma(double a, double b, double c) => a * b + c;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public double Product(double a, double b, ulong zero) => Interop.IntAsFloat(Interop.FloatAsInt(a * b) ^ zero);
}
