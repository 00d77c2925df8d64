using SharpEdge.TeacherStudent;
using Xunit.Abstractions;

namespace SharpEdge.Gpu.Tests;

/// <summary>
/// The ensemble kernel on ILGPU's CPU accelerator against the CPU trainer (<see cref="TeacherStudentTrainer"/>, its
/// fastest SIMD path here), model by model and slot by slot. Runs are short: the CPU accelerator runs every group
/// thread as a .NET thread and synchronises them at each barrier.
/// </summary>
public sealed class EnsembleTrainerTests(CpuDeviceFixture fixture, ITestOutputHelper output) : IClassFixture<CpuDeviceFixture>
{
    private const double Tolerance = 1e-12;

    private GpuDevice Device => fixture.Device;

    // max over slots of the norm-wise relative difference of W, dW and loss; asserts each below the tolerance.
    private static double AssertSameHistory(SeedResult device, SeedResult cpu, string what)
    {
        Assert.Equal(cpu.Seed, device.Seed);
        Assert.Equal(cpu.Teacher, device.Teacher);
        Assert.Equal(cpu.FirstLayer, device.FirstLayer);
        Assert.Equal(cpu.History.DivergedAtEpoch, device.History.DivergedAtEpoch);
        double worst = 0.0;
        void Check(ReadOnlySpan<double> actual, ReadOnlySpan<double> expected, string part)
        {
            double relative = Compare.RelativeDifference(actual, expected);
            Assert.True(relative <= Tolerance, $"{what} {part}: relative difference {relative:G3} exceeds {Tolerance:G3}");
            worst = Math.Max(worst, relative);
        }
        for (int slot = 0; slot < cpu.History.Schedule.SlotCount; slot++)
        {
            Check(device.History.WeightsAt(slot), cpu.History.WeightsAt(slot), $"W slot {slot}");
            Check(device.History.GradientAt(slot), cpu.History.GradientAt(slot), $"dW slot {slot}");
        }
        Check(device.History.Losses, cpu.History.Losses, "loss");
        return worst;
    }

    private double CompareWithCpu(IReadOnlyList<EnsembleMember> members, TrainerOptions? options = null)
    {
        var device = EnsembleTrainer.Train(Device, members, options);
        double worst = 0.0;
        for (int i = 0; i < members.Count; i++)
        {
            var cpu = TeacherStudentTrainer.TrainSeed(members[i].Config, members[i].Seed, options);
            worst = Math.Max(worst, AssertSameHistory(device[i], cpu, $"model {i} (lr {members[i].Config.LearningRate}, seed {members[i].Seed})"));
        }
        output.WriteLine($"{members.Count} models, largest relative difference to the CPU trainer: {worst:G3} (CPU SGD kernel {SimdPaths.Resolve(SimdPath.Auto)})");
        return worst;
    }

    // The paper's shape (tanh, K = 16, L = 32, bs = 4) over 3 short epochs; three seeds of two cells in one launch.
    [Fact]
    public void PaperShapeTrajectoriesEqualTheCpuTrainer()
    {
        var cell = new TeacherStudentConfig { BatchCount = 25, Epochs = 3, LearningRate = 1.0, StudentWidth = 1.0 };
        var hot = cell with { LearningRate = 8.0, StudentWidth = 0.25 };
        CompareWithCpu([new(cell, 11), new(cell, 12), new(hot, 11)]);
    }

    // The paper-shape kernel is compiled per activation (IActivationUnits): relu and identity in the paper's shape.
    [Theory]
    [InlineData(Activation.Relu)]
    [InlineData(Activation.Identity)]
    public void PaperShapeTrajectoriesEqualTheCpuTrainerForEveryActivation(Activation activation)
    {
        var cell = new TeacherStudentConfig { Activation = activation, BatchCount = 25, Epochs = 2, LearningRate = 0.05, StudentWidth = 1.0 };
        CompareWithCpu([new(cell, 21), new(cell with { LearningRate = 0.2 }, 22)]);
    }

    // Odd shapes: K = 5 (no full 8-lane tile), odd L = 15, bs = 6, every activation; and a schedule of 40 epochs.
    [Fact]
    public void OddShapesAndEveryActivationEqualTheCpuTrainer()
    {
        foreach (var activation in Enum.GetValues<Activation>())
        {
            var config = new TeacherStudentConfig
            {
                Activation = activation, HiddenUnits = 5, Ratio = 3, BatchSize = 6, BatchCount = 8, Epochs = 3,
                LearningRate = activation == Activation.Identity ? 0.01 : 0.25, StudentWidth = 1.5,
            };
            CompareWithCpu([new(config, 77), new(config, 78)]);
        }
    }

    // The ensemble split over three streams (uneven groups of 2, 2 and 1 models, launches of 7 epochs between saves)
    // trains the same models as one stream, bit for bit; every model-epoch is launched once and each group reads back
    // every save epoch.
    [Fact]
    public void StreamsSplitTheEnsembleWithoutChangingIt()
    {
        var config = new TeacherStudentConfig { HiddenUnits = 4, Ratio = 2, BatchCount = 3, Epochs = 40, LearningRate = 0.5 };
        var members = Enumerable.Range(0, 5).Select(i => new EnsembleMember(config, 40 + i)).ToList();
        var one = EnsembleTrainer.Train(Device, members, null, null, 7, default, streams: 1, launched: null);
        var launches = new List<EnsembleTrainer.LaunchReport>();
        var three = EnsembleTrainer.Train(Device, members, null, null, 7, default, streams: 3, launched: launches.Add);
        for (int i = 0; i < members.Count; i++) Assert.Equal(0.0, AssertSameHistory(three[i], one[i], $"model {i}"));
        Assert.Equal(5L * 40, launches.Sum(l => l.ModelEpochs));
        int saveEpochs = Enumerable.Range(0, 40).Count(config.Schedule.IsSaveEpoch);
        Assert.Equal(3 * saveEpochs, launches.Count(l => l.Save));
    }

    // 40 epochs save every second epoch (slots after 1, 3, …, 39 epochs); the last epoch is trained but not saved.
    [Fact]
    public void SaveScheduleSlotsEqualTheCpuTrainer()
    {
        var config = new TeacherStudentConfig { HiddenUnits = 4, Ratio = 2, BatchCount = 3, Epochs = 40, LearningRate = 0.5 };
        Assert.Equal(21, config.Schedule.SlotCount);
        CompareWithCpu([new(config, 5)]);
        CompareWithCpu([new(config, 5)], new TrainerOptions { StopAfterLastSave = true });
    }

    // relu with a wide student and read-out passes a batch loss of 100 part-way through the first epoch
    // (the configuration of the CPU trainer's divergence tests); the second model does not diverge. K = 16 runs the
    // paper-shape kernel, where both models share a warp and the calm one goes on alone.
    [Theory]
    [InlineData(8)]
    [InlineData(16)]
    public void DivergenceFillsTheSameSlotsAsTheCpuTrainer(int hiddenUnits)
    {
        var diverging = new TeacherStudentConfig
        {
            Activation = Activation.Relu, HiddenUnits = hiddenUnits, BatchCount = 100, Epochs = 3, LearningRate = 2.0, StudentWidth = 4.0, ReadoutWidth = 2.0,
        };
        var calm = diverging with { LearningRate = 0.001 };
        var device = EnsembleTrainer.Train(Device, [new(diverging, 3), new(calm, 3)]);
        var cpu = TeacherStudentTrainer.TrainSeed(diverging, 3);
        Assert.Equal(0, cpu.History.DivergedAtEpoch);
        AssertSameHistory(device[0], cpu, "diverging model");
        for (int slot = 1; slot < 4; slot++) Assert.Equal(TrainingHistory.UnwrittenLoss, device[0].History.Losses[slot]);
        Assert.Null(device[1].History.DivergedAtEpoch);
        AssertSameHistory(device[1], TeacherStudentTrainer.TrainSeed(calm, 3), "calm model");
    }

    [Fact]
    public void MembersThatDifferInMoreThanLearningRateAndWidthAreRefused()
    {
        var config = new TeacherStudentConfig { BatchCount = 2, Epochs = 1 };
        var error = Assert.Throws<ArgumentException>(() => EnsembleTrainer.Train(Device, [new(config, 1), new(config with { BatchSize = 2 }, 2)]));
        Assert.Contains("learning rate and student width only", error.Message);
        Assert.Throws<ArgumentException>(() => EnsembleTrainer.Train(Device, [new(config, 1), new(config, 1)]));
    }
}

/// <summary>One CPU accelerator for all tests of the class (creating an ILGPU context costs a little).</summary>
public sealed class CpuDeviceFixture : IDisposable
{
    public GpuDevice Device { get; } = GpuDevice.OpenCpu();

    public void Dispose() => Device.Dispose();
}
