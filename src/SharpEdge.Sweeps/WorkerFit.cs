namespace SharpEdge.Sweeps;

/// <summary>
/// Worker processes × threads per worker for a local sweep. Small networks gain little from a second thread, so
/// by default every core runs its own single-threaded task (stack_measurements §4: 2 processes × 1 thread on 2
/// cores); given one of the two, the other fills the cores; never more workers than tasks.
/// </summary>
public static class WorkerFit
{
    public static (int Workers, int ThreadsPerWorker) Choose(int cores, int tasks, int? workers, int? threadsPerWorker)
    {
        if (workers is < 1) throw new ArgumentException($"--workers must be at least 1, got {workers}");
        if (threadsPerWorker is < 1) throw new ArgumentException($"--threads-per-worker must be at least 1, got {threadsPerWorker}");
        cores = Math.Max(1, cores);
        int threads = threadsPerWorker ?? (workers is int w ? Math.Max(1, cores / w) : 1);
        int count = workers ?? Math.Max(1, cores / threads);
        return (Math.Max(1, Math.Min(count, Math.Max(1, tasks))), threads);
    }
}
