using SharpEdge.Numerics;
using System.Diagnostics;
using SharpEdge.TeacherStudent;

namespace SharpEdge.Gpu;

/// <summary>The ensemble kernel against the CPU trainer on the same models: the largest relative difference over every slot.</summary>
public sealed record EnsembleCheck(int Models, int Epochs, int StepsPerEpoch, double MaxRelativeDifference, bool BitIdentical, SimdPath CpuKernel);

/// <summary>
/// One throughput figure: <paramref name="Models"/> models × <paramref name="Epochs"/> epochs of <paramref name="StepsPerEpoch"/>
/// steps in <paramref name="TrainingSeconds"/> (the launches with their 20 saves; set-up separately).
/// </summary>
/// <remarks>
/// There is one rate, saves included. A rate "between saves" cannot be told apart within one run: while the host
/// records one stream's save, the other stream's launch goes on, so timing each read-back interval charges part of a
/// launch to the save beside it (that measure read 1.9×10⁹ model-steps/s on an H100 where the sustained rate is 1.1×10⁹).
/// A run of the paper saves 20 times in 10⁸ steps, a bench 20 times in far fewer, so <see cref="PaperHours"/> is an
/// upper bound that tightens as the bench gets longer.
/// </remarks>
public sealed record EnsembleThroughput(string Device, int Models, int Epochs, int StepsPerEpoch, double SetupSeconds, double TrainingSeconds)
{
    /// <summary>The paper's data set: 14 400 models (12×12 cells × 100) of 10⁸ SGD steps each.</summary>
    public const double PaperModelSteps = 14_400 * 1e8;

    public double ModelSteps => (double)Models * Epochs * StepsPerEpoch;

    public double ModelStepsPerSecond => ModelSteps / TrainingSeconds;

    /// <summary>Hours for <see cref="PaperModelSteps"/> at this rate.</summary>
    public double PaperHours => PaperModelSteps / ModelStepsPerSecond / 3600.0;
}

/// <summary>Correctness and throughput of <see cref="EnsembleTrainer"/> on a device, and the CPU trainer's throughput beside it.</summary>
public static class EnsembleBench
{
    /// <summary>
    /// Trains <paramref name="models"/> models of the paper's shape (two cells, lr 1 and 8) for <paramref name="epochs"/>
    /// epochs on the device and with the CPU trainer, and compares W, dW and loss in every slot.
    /// </summary>
    public static EnsembleCheck Check(GpuDevice device, int models, int epochs, int batches)
    {
        var members = Members(models, new TeacherStudentConfig { Epochs = epochs, BatchCount = batches });
        var onDevice = EnsembleTrainer.Train(device, members);
        var onCpu = TeacherStudentTrainer.TrainCell(members[0].Config, [.. members.Where(m => m.Config == members[0].Config).Select(m => m.Seed)])
            .Concat(TeacherStudentTrainer.TrainCell(members[^1].Config, [.. members.Where(m => m.Config != members[0].Config).Select(m => m.Seed)]))
            .ToArray();
        double worst = 0.0;
        bool identical = true;
        for (int i = 0; i < members.Count; i++)
        {
            var (a, b) = (onDevice[i].History, onCpu[i].History);
            foreach (var (x, y) in new[] { (a.Weights, b.Weights), (a.Gradients, b.Gradients), (a.Losses, b.Losses) })
            {
                worst = Math.Max(worst, VectorDifference.Relative(x, y));
                identical &= x.AsSpan().SequenceEqual(y);
            }
        }
        return new EnsembleCheck(models, epochs, batches, worst, identical, SimdPaths.Resolve(SimdPath.Auto));
    }

    /// <summary>The ensemble kernel's throughput on <paramref name="models"/> models of the paper's shape.</summary>
    public static EnsembleThroughput Measure(GpuDevice device, int models, int epochs, int batches)
    {
        var members = Members(models, new TeacherStudentConfig { Epochs = epochs, BatchCount = batches });
        var clock = Stopwatch.StartNew();
        // Training ends at the last read-back; what came before the first launch (drawing the models, φ1, uploads) is set-up.
        TimeSpan training = TimeSpan.Zero;
        EnsembleTrainer.Train(device, members, null, null, epochs, default, streams: 0, launched: launch => training = launch.Elapsed);
        return new EnsembleThroughput(device.Description, models, epochs, batches, clock.Elapsed.TotalSeconds - training.TotalSeconds, training.TotalSeconds);
    }

    /// <summary>The CPU trainer's throughput: one model per thread on <paramref name="threads"/> threads.</summary>
    public static EnsembleThroughput MeasureCpu(int threads, int epochs, int batches)
    {
        var config = new TeacherStudentConfig { Epochs = epochs, BatchCount = batches };
        TeacherStudentTrainer.TrainCell(config with { Epochs = 1, BatchCount = 10 }, [0], threads: 1);   // JIT warm-up
        var clock = Stopwatch.StartNew();
        TeacherStudentTrainer.TrainCell(config, [.. Enumerable.Range(0, threads).Select(i => (long)i)], threads);
        return new EnsembleThroughput($"CPU trainer, {threads} threads ({SimdPaths.Resolve(SimdPath.Auto)})", threads, epochs, batches, 0.0, clock.Elapsed.TotalSeconds);
    }

    // Half the models at lr 1, eps 1 and half at lr 8, eps 0.25: two cells in one launch, as a sweep runs them.
    private static List<EnsembleMember> Members(int models, TeacherStudentConfig config)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(models, 2);
        var hot = config with { LearningRate = 8.0, StudentWidth = 0.25 };
        return [.. Enumerable.Range(0, models).Select(i => i < models / 2 ? new EnsembleMember(config, i) : new EnsembleMember(hot, i))];
    }
}
