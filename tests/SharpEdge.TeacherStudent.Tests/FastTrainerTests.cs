namespace SharpEdge.TeacherStudent.Tests;

public class FastTrainerTests
{
    private const double Tolerance = 1e-12;

    public static TheoryData<SimdPath> SupportedPaths()
    {
        var paths = new TheoryData<SimdPath>();
        foreach (var path in new[] { SimdPath.Avx512, SimdPath.Vector256, SimdPath.Scalar })
            if (SimdPaths.IsSupported(path)) paths.Add(path);
        return paths;
    }

    private static void AssertSameHistory(SeedResult fast, SeedResult reference, string what)
    {
        Assert.Equal(reference.History.DivergedAtEpoch, fast.History.DivergedAtEpoch);
        for (int slot = 0; slot < reference.History.Schedule.SlotCount; slot++)
        {
            Compare.Close(fast.History.WeightsAt(slot), reference.History.WeightsAt(slot), Tolerance, $"{what}: W slot {slot}");
            Compare.Close(fast.History.GradientAt(slot), reference.History.GradientAt(slot), Tolerance, $"{what}: dW slot {slot}");
        }
        Compare.Close(fast.History.Losses, reference.History.Losses, Tolerance, $"{what}: loss");
        Assert.Equal(reference.Teacher, fast.Teacher);
        Assert.Equal(reference.FirstLayer, fast.FirstLayer);
    }

    // The paper's configuration, one epoch (1 000 SGD steps): every slot within 1e-12 of the plain loop.
    [Theory]
    [MemberData(nameof(SupportedPaths))]
    public void OneEpochEqualsReferenceLoop(SimdPath path)
    {
        var config = new TeacherStudentConfig { Epochs = 1, LearningRate = 1.0, StudentWidth = 1.0 };
        var fast = TeacherStudentTrainer.TrainSeed(config, 2024, new TrainerOptions { Path = path });
        var reference = ReferenceTrainer.Train(config, 2024);
        Assert.Equal(2, reference.History.Schedule.SlotCount);
        AssertSameHistory(fast, reference, $"{path}");
    }

    // Odd shapes exercise K padding (5 → one tile), odd L = 15, and batch remainders (bs = 6 = 4 + 1 + 1).
    [Theory]
    [MemberData(nameof(SupportedPaths))]
    public void FewEpochsEqualReferenceLoopForEveryActivationAndOddShapes(SimdPath path)
    {
        foreach (var activation in Enum.GetValues<Activation>())
        {
            var config = new TeacherStudentConfig
            {
                Activation = activation,
                HiddenUnits = 5,
                Ratio = 3,
                BatchSize = 6,
                BatchCount = 150,
                Epochs = 3,
                // The identity network is linear in x ∈ R³ and would fit to rounding level within these epochs,
                // leaving epoch-mean gradients of pure rounding noise; a smaller step keeps them meaningful.
                LearningRate = activation == Activation.Identity ? 0.01 : 0.25,
                StudentWidth = 1.5,
            };
            var fast = TeacherStudentTrainer.TrainSeed(config, 77, new TrainerOptions { Path = path });
            var reference = ReferenceTrainer.Train(config, 77);
            Assert.True(reference.History.DivergedAtEpoch is null, $"{activation} diverged; choose a smaller learning rate");
            AssertSameHistory(fast, reference, $"{path} {activation}");
        }
    }

    // The hot loop allocates nothing: whole epochs, with and without gradient accumulation.
    [Theory]
    [MemberData(nameof(SupportedPaths))]
    public void EpochsAllocateNothing(SimdPath path)
    {
        var config = new TeacherStudentConfig { BatchCount = 200, Epochs = 20 };
        var features = new double[config.SampleCount * config.FirstHiddenWidth];
        var sgd = new StudentSgd(config, TeacherStudentModel.Generate(config, 1, features), features, path);
        sgd.RunEpoch(accumulateGradient: true);
        sgd.RunEpoch(accumulateGradient: false);
        long before = GC.GetAllocatedBytesForCurrentThread();
        var saved = sgd.RunEpoch(accumulateGradient: true);
        var plain = sgd.RunEpoch(accumulateGradient: false);
        Assert.Equal(0, GC.GetAllocatedBytesForCurrentThread() - before);
        Assert.Equal(-1, saved.DivergedBatch);
        Assert.Equal(-1, plain.DivergedBatch);
    }

    [Fact]
    public void TrainCellRunsSeedsInParallelInOrderAndReportsProgress()
    {
        var config = new TeacherStudentConfig { BatchCount = 50, Epochs = 4, LearningRate = 0.25 };
        long[] seeds = [5, 1, 9];
        var reports = new List<TrainingProgress>();
        var results = TeacherStudentTrainer.TrainCell(config, seeds, threads: 2, progress: p => { lock (reports) reports.Add(p); });

        Assert.Equal(seeds, results.Select(r => r.Seed));
        for (int i = 0; i < seeds.Length; i++)
            Assert.Equal(TeacherStudentTrainer.TrainSeed(config, seeds[i]).History.Weights, results[i].History.Weights);
        var last = reports[^1];
        Assert.Equal(12, last.EpochsTotal);
        Assert.Equal(12, last.EpochsDone);
        Assert.Equal(3, last.SeedsDone);
        Assert.Equal(1.0, last.Fraction);
    }

    [Fact]
    public void TrainCellRejectsDuplicateOrNegativeSeeds()
    {
        var config = new TeacherStudentConfig { BatchCount = 10, Epochs = 1 };
        Assert.Throws<ArgumentException>(() => TeacherStudentTrainer.TrainCell(config, [1, 2, 1]));
        Assert.Throws<ArgumentOutOfRangeException>(() => TeacherStudentTrainer.TrainCell(config, [-1]));
    }

    // Stopping after the last save leaves every slot as it is when no divergence happens (phase_ml_spec §3.2).
    [Fact]
    public void StoppingAfterTheLastSaveChangesNothingWithoutDivergence()
    {
        var config = new TeacherStudentConfig { BatchCount = 20, Epochs = 40 };
        var full = TeacherStudentTrainer.TrainSeed(config, 8);
        var cut = TeacherStudentTrainer.TrainSeed(config, 8, new TrainerOptions { StopAfterLastSave = true });
        Assert.Equal(full.History.Weights, cut.History.Weights);
        Assert.Equal(full.History.Losses, cut.History.Losses);
    }
}
