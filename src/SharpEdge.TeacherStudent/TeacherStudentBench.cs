using System.Diagnostics;

namespace SharpEdge.TeacherStudent;

/// <summary>
/// One timing of the fast trainer: <paramref name="Threads"/> models trained at once, one per thread.
/// <paramref name="MicrosecondsPerStep"/> is the wall time of one SGD step of each model (median over
/// repetitions; the minimum alongside); with T threads the machine does T model-steps in that time.
/// </summary>
public sealed record TeacherStudentBenchResult(SimdPath Path, int Threads, long StepsPerModel, double MicrosecondsPerStep, double MinimumMicrosecondsPerStep)
{
    /// <summary>Wall time per model-step of the whole machine: <see cref="MicrosecondsPerStep"/> / threads.</summary>
    public double ThroughputMicroseconds => MicrosecondsPerStep / Threads;
}

/// <summary>
/// Times whole training runs of the fast trainer (seed generation, features, slot 0 and save epochs included,
/// all negligible next to the SGD steps), for comparison with bench/phase_numpy.py.
/// </summary>
public static class TeacherStudentBench
{
    public static TeacherStudentBenchResult Measure(TeacherStudentConfig config, SimdPath path = SimdPath.Auto, int threads = 1, int repetitions = 3)
    {
        ArgumentNullException.ThrowIfNull(config);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(threads);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(repetitions);
        config.Validate();
        var options = new TrainerOptions { Path = SimdPaths.Resolve(path) };
        // Warm-up: tiered compilation reaches the optimised kernels (they are AggressiveOptimization anyway).
        TeacherStudentTrainer.TrainCell(config with { Epochs = 1, BatchCount = Math.Min(config.BatchCount, 100) }, [0], threads: 1, options: options);

        var times = new double[repetitions];
        for (int rep = 0; rep < repetitions; rep++)
        {
            long[] seeds = Enumerable.Range(0, threads).Select(i => (long)(1000 + rep * threads + i)).ToArray();
            var clock = Stopwatch.StartNew();
            TeacherStudentTrainer.TrainCell(config, seeds, threads, options: options);
            times[rep] = clock.Elapsed.TotalMicroseconds / config.StepsPerModel;
        }
        Array.Sort(times);
        return new TeacherStudentBenchResult(options.Path, threads, config.StepsPerModel, times[repetitions / 2], times[0]);
    }
}
