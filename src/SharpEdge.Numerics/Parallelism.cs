namespace SharpEdge.Numerics;

/// <summary>
/// The process-wide thread budget for compute kernels. Defaults to the core count, or to
/// <c>SHARPEDGE_THREADS</c> when set; the CLI's <c>--threads</c> overrides both.
/// </summary>
public static class Parallelism
{
    private static int threads = FromEnvironment();

    /// <summary>Threads a kernel may use (at least 1).</summary>
    public static int Threads
    {
        get => threads;
        set
        {
            if (value < 1) throw new ArgumentOutOfRangeException(nameof(value), value, "thread count must be at least 1");
            threads = value;
        }
    }

    private static int FromEnvironment()
    {
        var text = Environment.GetEnvironmentVariable("SHARPEDGE_THREADS");
        if (string.IsNullOrWhiteSpace(text)) return Environment.ProcessorCount;
        if (int.TryParse(text, out var n) && n >= 1) return n;
        throw new InvalidOperationException($"SHARPEDGE_THREADS must be a positive integer, got '{text}'");
    }
}
