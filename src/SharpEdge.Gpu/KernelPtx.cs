using System.Reflection;
using ILGPU;
using ILGPU.Backends.EntryPoints;
using ILGPU.Backends.PTX;
using ILGPU.Runtime;
using ILGPU.Runtime.Cuda;
using SharpEdge.Gpu.Curvature;

namespace SharpEdge.Gpu;

/// <summary>
/// The PTX that ILGPU generates for our kernels, without a GPU: lets CI check that each kernel compiles for CUDA and
/// uses the intended instructions (correctly rounded fma/div, no approximate math, no local-memory temporaries), and
/// lets <c>bench ptx</c> hand it to ptxas for registers and spills offline.
/// </summary>
public static class KernelPtx
{
    /// <summary>
    /// PTX of every kernel we launch on a GPU, by a file-safe name: the ensemble's general kernel, its paper-shape kernel
    /// for tanh units (the one whose PTX carries <c>.minnctapersm</c>), and each curvature kernel of
    /// <c>DenseKernels</c> for float32 and float64.
    /// </summary>
    public static IReadOnlyList<(string Name, string Ptx)> All()
    {
        var all = new List<(string, string)> { ("ensemble-general", Ensemble()), ("ensemble-paper-shape-tanh", Ensemble(paperShape: true)) };
        foreach (var (dtype, kernels) in new[] { ("f32", typeof(DenseKernels<float, Float32Scalar, PtxOps>)), ("f64", typeof(DenseKernels<double, Float64Scalar, PtxOps>)) })
            foreach (var method in kernels.GetMethods(BindingFlags.Public | BindingFlags.Static).Where(m => m.DeclaringType == kernels).OrderBy(m => m.MetadataToken))
                all.Add(($"dense-{dtype}-{method.Name}", Compile(method, IsExplicitlyGrouped(method))));
        return all;
    }

    // Implicitly grouped kernels take their element index first; the others (Gemm) index threads and groups themselves.
    private static bool IsExplicitlyGrouped(MethodInfo kernel) =>
        kernel.GetParameters() is not [{ ParameterType: var first }, ..] || first != typeof(Index1D);

    /// <summary>
    /// PTX of the ensemble's general kernel, or with <paramref name="paperShape"/> of <see cref="PaperShapeKernel{TOps, TActivation}"/>
    /// for tanh units, with the specialization the trainer loads it with.
    /// </summary>
    internal static string Ensemble(bool paperShape = false) => paperShape
        ? Compile(typeof(PaperShapeKernel<PtxOps, TanhUnits<PtxOps>>).GetMethod(nameof(PaperShapeKernel<PtxOps, TanhUnits<PtxOps>>.Run))!, explicitlyGrouped: true, EnsembleTrainer.PaperShapeSpecialization)
        : Compile(typeof(EnsembleKernel<PtxOps>).GetMethod(nameof(EnsembleKernel<PtxOps>.Run))!, explicitlyGrouped: true);

    /// <summary>
    /// PTX of <paramref name="kernel"/> for <paramref name="architecture"/> (default sm_90, the H100), with ILGPU's O2
    /// optimisations as on a device.
    /// </summary>
    internal static string Compile(MethodInfo kernel, bool explicitlyGrouped, KernelSpecialization specialization = default, CudaArchitecture? architecture = null)
    {
        using var context = Context.Create(builder => builder.Math(MathMode.Default).Optimize(OptimizationLevel.O2));
        var target = architecture ?? CudaArchitecture.SM_90;
        using var backend = new PTXBackend(context, new CudaCapabilityContext(target), target, CudaInstructionSet.ISA_80, nvvmAPI: null);
        var entry = explicitlyGrouped ? EntryPointDescription.FromExplicitlyGroupedKernel(kernel) : EntryPointDescription.FromImplicitlyGroupedKernel(kernel);
        var compiled = (PTXCompiledKernel)backend.Compile(entry, specialization);
        return compiled.PTXAssembly;
    }
}
