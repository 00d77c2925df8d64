namespace SharpEdge.TeacherStudent.Tests;

public class DivergenceTests
{
    // relu with a wide student and read-out: the loss passes 100 part-way through the first epoch.
    private static readonly TeacherStudentConfig DivergingRelu = new()
    {
        Activation = Activation.Relu,
        HiddenUnits = 8,
        BatchCount = 100,
        Epochs = 3,
        LearningRate = 2.0,
        StudentWidth = 4.0,
        ReadoutWidth = 2.0,
    };
    private const long DivergingSeed = 3;

    // Independent replay of §3.1: the first batch whose pre-update loss exceeds 100, the student before its
    // update and that batch's gradient.
    private static (int Epoch, int Batch, double[] Student, double[] Gradient) FirstDivergence(TeacherStudentConfig config, long seed)
    {
        var model = TeacherStudentModel.Generate(config, seed);
        var network = new TeacherStudentNetwork(config, model.FirstLayer, model.Readout);
        var student = (double[])model.InitialStudent.Clone();
        var gradient = new double[student.Length];
        int bs = config.BatchSize, d = config.InputDim;
        for (int epoch = 0; epoch < config.Epochs; epoch++)
            for (int batch = 0; batch < config.BatchCount; batch++)
            {
                double loss = network.LossAndGradient(student, model.Inputs.AsSpan(batch * bs * d, bs * d), model.Labels.AsSpan(batch * bs, bs), gradient);
                if (loss > 100.0) return (epoch, batch, student, gradient);
                for (int i = 0; i < student.Length; i++) student[i] -= config.LearningRate * gradient[i];
            }
        throw new InvalidOperationException("the configuration did not diverge");
    }

    [Fact]
    public void ReluDivergenceFillsLaterSlotsWithThePreUpdateStateAndLeavesLossAtTheSentinel()
    {
        var (epoch, batch, student, gradient) = FirstDivergence(DivergingRelu, DivergingSeed);
        Assert.Equal(0, epoch);
        Assert.True(batch > 0, "the divergence should come after some updates");
        var model = TeacherStudentModel.Generate(DivergingRelu, DivergingSeed);
        var reference = ReferenceTrainer.Train(DivergingRelu, DivergingSeed);
        var fast = TeacherStudentTrainer.TrainSeed(DivergingRelu, DivergingSeed);

        foreach (var (result, tolerance, name) in new[] { (reference, 0.0, "reference"), (fast, 1e-12, "fast") })
        {
            var history = result.History;
            Assert.Equal(0, history.DivergedAtEpoch);
            // Slot 0 is the initial state with its full-data loss; slots 1 … 3 (idx = 0 // 1 + 1 on) are filled.
            Assert.Equal(model.InitialStudent, history.WeightsAt(0).ToArray());
            Assert.True(history.Losses[0] < 100.0);
            for (int slot = 1; slot < 4; slot++)
            {
                Compare.Close(history.WeightsAt(slot), student, tolerance, $"{name} W slot {slot}");
                Compare.Close(history.GradientAt(slot), gradient, Math.Max(tolerance, 1e-9), $"{name} dW slot {slot}");
                Assert.Equal(100.0, history.Losses[slot]);
            }
        }
    }

    // §3.3 quirk: a divergence in non-save epoch 7 of 100 (interval 5) overwrites slot 2, already written at
    // e = 5, and every later slot; loss slots are never written by it.
    [Fact]
    public void DivergenceInANonSaveEpochOverwritesThePreviousSaveSlot()
    {
        var schedule = SaveSchedule.For(100);
        var history = new TrainingHistory(schedule, hiddenUnits: 2, width: 3);
        double[] Matrix(double value) => Enumerable.Repeat(value, 6).ToArray();
        history.RecordInitial(Matrix(1), Matrix(-1), 0.5);
        history.RecordEpoch(0, Matrix(2), Matrix(-2), 0.25);
        history.RecordEpoch(5, Matrix(3), Matrix(-3), 0.125);
        history.RecordDivergence(7, Matrix(9), Matrix(-9));

        Assert.Equal(7, history.DivergedAtEpoch);
        Assert.Equal(Matrix(1), history.WeightsAt(0).ToArray());
        Assert.Equal(Matrix(2), history.WeightsAt(1).ToArray());
        for (int slot = 2; slot <= 20; slot++)
        {
            Assert.Equal(Matrix(9), history.WeightsAt(slot).ToArray());
            Assert.Equal(Matrix(-9), history.GradientAt(slot).ToArray());
        }
        double[] expectedLoss = [0.5, 0.25, 0.125, .. Enumerable.Repeat(100.0, 18)];
        Assert.Equal(expectedLoss, history.Losses);
    }

    [Fact]
    public void NothingWrittenLeavesZerosAndTheLossSentinel()
    {
        var history = new TrainingHistory(SaveSchedule.For(3), hiddenUnits: 2, width: 2);
        Assert.All(history.Weights, w => Assert.Equal(0.0, w));
        Assert.All(history.Losses, l => Assert.Equal(TrainingHistory.UnwrittenLoss, l));
    }
}
