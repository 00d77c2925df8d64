namespace SharpEdge.Numerics;

/// <summary>
/// The thread budget for compute kernels. Defaults to the core count, or to <c>SHARPEDGE_THREADS</c> when set;
/// the CLI's <c>--threads</c> overrides both. Work that is already parallel at a coarser level (one Monte-Carlo
/// sample per thread) limits the kernels inside each worker with <see cref="Limit"/>, so 2 workers × 1 kernel
/// thread do not oversubscribe 2 cores.
/// </summary>
public static class Parallelism
{
    private static int threads = FromEnvironment();

    [ThreadStatic] private static int threadLimit;

    /// <summary>Threads a kernel called from this thread may use (at least 1).</summary>
    public static int Threads
    {
        get => threadLimit > 0 ? Math.Min(threadLimit, threads) : threads;
        set
        {
            if (value < 1) throw new ArgumentOutOfRangeException(nameof(value), value, "thread count must be at least 1");
            threads = value;
        }
    }

    /// <summary>The process-wide budget, ignoring any limit of the calling thread.</summary>
    public static int ProcessThreads => threads;

    /// <summary>Limits kernels called from the current thread to <paramref name="count"/> threads until the scope is disposed.</summary>
    public static ThreadLimitScope Limit(int count)
    {
        if (count < 1) throw new ArgumentOutOfRangeException(nameof(count), count, "thread count must be at least 1");
        var previous = threadLimit;
        threadLimit = count;
        return new ThreadLimitScope(previous);
    }

    public readonly struct ThreadLimitScope : IDisposable
    {
        private readonly int previous;
        internal ThreadLimitScope(int previous) => this.previous = previous;
        public void Dispose() => threadLimit = previous;
    }

    private static int FromEnvironment()
    {
        var text = Environment.GetEnvironmentVariable("SHARPEDGE_THREADS");
        if (string.IsNullOrWhiteSpace(text)) return Environment.ProcessorCount;
        if (int.TryParse(text, out var n) && n >= 1) return n;
        throw new InvalidOperationException($"SHARPEDGE_THREADS must be a positive integer, got '{text}'");
    }
}
