using ILGPU;
using ILGPU.Runtime;
using ILGPU.Runtime.CPU;
using ILGPU.Runtime.Cuda;

namespace SharpEdge.Gpu;

/// <summary>Where <c>phase train</c> and <c>phase sweep</c> run the SGD ensemble (<c>--device</c>).</summary>
public enum DeviceChoice
{
    /// <summary>CUDA when a device is present, else the CPU trainer (saying so once on stderr).</summary>
    Auto,

    /// <summary>The CPU trainer (one model per thread, SIMD kernels).</summary>
    Cpu,

    /// <summary>The ILGPU ensemble kernel on the first CUDA device; an error without one.</summary>
    Cuda,
}

/// <summary>
/// An ILGPU context and accelerator: a CUDA GPU, or ILGPU's CPU accelerator (tests). The teacher-student ensemble
/// (<see cref="EnsembleTrainer"/>) and the MLP curvature engine (<see cref="DeviceMlp{T}"/>) run on it.
/// </summary>
public sealed class GpuDevice : IDisposable
{
    private readonly Context context;

    private GpuDevice(Context context, Accelerator accelerator)
    {
        this.context = context;
        Accelerator = accelerator;
    }

    internal Accelerator Accelerator { get; }

    /// <summary>True on a CUDA GPU, false on ILGPU's CPU accelerator.</summary>
    public bool IsCuda => Accelerator.AcceleratorType == AcceleratorType.Cuda;

    /// <summary>The device in words, e.g. "NVIDIA H100 80GB HBM3 (CUDA, 79.1 GiB)".</summary>
    public string Description => IsCuda
        ? $"{Accelerator.Name} (CUDA, {Accelerator.MemorySize / (double)(1L << 30):F1} GiB)"
        : $"ILGPU CPU accelerator ({Accelerator.MaxNumThreadsPerGroup} threads per group)";

    /// <summary>The first CUDA device, or null when there is none (no GPU, or no CUDA driver).</summary>
    public static GpuDevice? TryOpenCuda()
    {
        Context? context = null;
        try
        {
            context = Context.Create(builder => builder.Cuda().Math(MathMode.Default).Optimize(OptimizationLevel.O2));
            var devices = context.GetCudaDevices();
            if (devices.Count == 0)
            {
                context.Dispose();
                return null;
            }
            return new GpuDevice(context, devices[0].CreateAccelerator(context));
        }
        catch (Exception e) when (e is DllNotFoundException or TypeInitializationException or NotSupportedException or InvalidOperationException or CudaException)
        {
            // A machine without libcuda, or a driver ILGPU cannot use, has no CUDA device for us.
            context?.Dispose();
            return null;
        }
    }

    /// <summary>
    /// ILGPU's CPU accelerator, which runs the same kernel with every group thread a .NET thread: exact but slow,
    /// for checking the kernel without a GPU. <paramref name="threadsPerGroup"/> bounds K × models per group.
    /// </summary>
    public static GpuDevice OpenCpu(int threadsPerGroup = 32)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(threadsPerGroup, 32);
        // Warps of 32 as on NVIDIA GPUs, so the paper-shape kernel's shuffles run here as they do there.
        var device = new CPUDevice(numThreadsPerWarp: 32, numWarpsPerMultiprocessor: threadsPerGroup / 32, numMultiprocessors: 1);
        var context = Context.Create(builder => builder.CPU(device).Math(MathMode.Default));
        return new GpuDevice(context, context.GetCPUDevice(0).CreateAccelerator(context));
    }

    public void Dispose()
    {
        Accelerator.Dispose();
        context.Dispose();
    }
}
