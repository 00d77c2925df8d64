using System.Reflection;
using ILGPU;
using ILGPU.Backends.EntryPoints;
using ILGPU.Backends.PTX;
using ILGPU.Runtime;
using ILGPU.Runtime.Cuda;

namespace SharpEdge.Gpu;

/// <summary>
/// The PTX that ILGPU generates for our kernels, without a GPU: lets CI check that each kernel compiles for CUDA and
/// uses the intended instructions (correctly rounded fma/div, no approximate math, no local-memory temporaries).
/// </summary>
internal static class KernelPtx
{
    /// <summary>
    /// PTX of the ensemble's general kernel, or with <paramref name="paperShape"/> of <see cref="PaperShapeKernel{TOps, TActivation}"/>
    /// for tanh units, with the specialization the trainer loads it with.
    /// </summary>
    public static string Ensemble(bool paperShape = false) => paperShape
        ? Compile(typeof(PaperShapeKernel<PtxOps, TanhUnits<PtxOps>>).GetMethod(nameof(PaperShapeKernel<PtxOps, TanhUnits<PtxOps>>.Run))!, explicitlyGrouped: true, EnsembleTrainer.PaperShapeSpecialization)
        : Compile(typeof(EnsembleKernel<PtxOps>).GetMethod(nameof(EnsembleKernel<PtxOps>.Run))!, explicitlyGrouped: true);

    /// <summary>
    /// PTX of <paramref name="kernel"/> for <paramref name="architecture"/> (default sm_90, the H100), with ILGPU's O2
    /// optimisations as on a device.
    /// </summary>
    public static string Compile(MethodInfo kernel, bool explicitlyGrouped, KernelSpecialization specialization = default, CudaArchitecture? architecture = null)
    {
        using var context = Context.Create(builder => builder.Math(MathMode.Default).Optimize(OptimizationLevel.O2));
        var target = architecture ?? CudaArchitecture.SM_90;
        using var backend = new PTXBackend(context, new CudaCapabilityContext(target), target, CudaInstructionSet.ISA_80, nvvmAPI: null);
        var entry = explicitlyGrouped ? EntryPointDescription.FromExplicitlyGroupedKernel(kernel) : EntryPointDescription.FromImplicitlyGroupedKernel(kernel);
        var compiled = (PTXCompiledKernel)backend.Compile(entry, specialization);
        return compiled.PTXAssembly;
    }
}
