using SharpEdge.Gpu;

namespace SharpEdge.Cli.Commands;

/// <summary><c>--device</c> of <c>phase train</c> and <c>phase sweep</c>: the CUDA device to train on, or null for the CPU trainer.</summary>
internal static class PhaseDevice
{
    /// <summary>
    /// Set to 1, the CUDA path runs on ILGPU's CPU accelerator instead of a GPU (same kernel, same host code, slow):
    /// how the tests exercise <c>--device cuda</c> on machines without one.
    /// </summary>
    public const string EmulationVariable = "SHARPEDGE_CUDA_EMULATION";

    /// <summary>
    /// The first CUDA device for <c>cuda</c> (an error without one) and <c>auto</c> (one stderr line and null without
    /// one); null for <c>cpu</c>. <paramref name="offersAuto"/>: whether the command's <c>--device</c> has <c>auto</c>
    /// (phase commands), so that the error names only choices the command accepts.
    /// </summary>
    public static GpuDevice? Open(DeviceChoice choice, string label, bool offersAuto = true)
    {
        if (choice == DeviceChoice.Cpu) return null;
        var cuda = Environment.GetEnvironmentVariable(EmulationVariable) == "1" ? GpuDevice.OpenCpu() : GpuDevice.TryOpenCuda();
        if (cuda is not null) return cuda;
        if (choice == DeviceChoice.Cuda)
            throw new InvalidOperationException("--device cuda: no CUDA device found (no NVIDIA GPU, or no CUDA driver ILGPU can load); use --device cpu" + (offersAuto ? " or auto" : ""));
        CommandRunner.Log($"{label}: no CUDA device found; training on the CPU");
        return null;
    }

    /// <summary>"cuda" or "cpu", as <see cref="Open"/> decides.</summary>
    public static string Resolve(DeviceChoice choice, string label)
    {
        using var device = Open(choice, label);
        return Kind(device);
    }

    /// <summary>"cuda" or "cpu": the device recorded in a run's metadata and in the JSON output.</summary>
    public static string Kind(GpuDevice? device) => device is null ? "cpu" : "cuda";

    /// <summary>The device in words, e.g. "NVIDIA H100 80GB HBM3 (CUDA, 79.1 GiB)", or "cpu".</summary>
    public static string Name(GpuDevice? device) => device?.Description ?? "cpu";
}
