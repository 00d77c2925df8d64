using ILGPU;
using ILGPU.Backends.EntryPoints;
using ILGPU.Backends.PTX;
using ILGPU.Runtime;
using ILGPU.Runtime.Cuda;

namespace SharpEdge.Gpu;

/// <summary>
/// The PTX that ILGPU generates for <see cref="EnsembleKernel{TOps}"/>, without a GPU: lets CI check that the kernel compiles
/// for CUDA and uses the intended instructions (correctly rounded fma/div, no approximate math), and lets
/// <c>phase bench-gpu --ptx</c> show it.
/// </summary>
internal static class EnsemblePtx
{
    /// <summary>
    /// PTX of the general kernel, or with <paramref name="paperShape"/> of <see cref="PaperShapeKernel{TOps}"/>, for
    /// <paramref name="architecture"/> (default sm_90, the H100), with ILGPU's O2 optimisations as on a device.
    /// </summary>
    public static string Generate(bool paperShape = false, CudaArchitecture? architecture = null)
    {
        using var context = Context.Create(builder => builder.Math(MathMode.Default).Optimize(OptimizationLevel.O2));
        var target = architecture ?? CudaArchitecture.SM_90;
        using var backend = new PTXBackend(context, new CudaCapabilityContext(target), target, CudaInstructionSet.ISA_80, nvvmAPI: null);
        var method = paperShape
            ? typeof(PaperShapeKernel<PtxOps>).GetMethod(nameof(PaperShapeKernel<PtxOps>.Run))!
            : typeof(EnsembleKernel<PtxOps>).GetMethod(nameof(EnsembleKernel<PtxOps>.Run))!;
        var entry = EntryPointDescription.FromExplicitlyGroupedKernel(method);
        var compiled = (PTXCompiledKernel)backend.Compile(entry, paperShape ? EnsembleTrainer.PaperShapeSpecialization : new KernelSpecialization());
        return compiled.PTXAssembly;
    }
}
