using SharpEdge.Data;
using SharpEdge.Nn;
using SharpEdge.Runs;
using SharpEdge.Tests;

namespace SharpEdge.Training.Tests;

public sealed class NoisyTrainingTests : IDisposable
{
    private readonly TempFolder temp = new();

    public void Dispose() => temp.Dispose();

    private static TrainingConfig Tiny(string loss) => new()
    {
        Model = "mlp:784-16-10:tanh", NumData = 128, LearningRate = 0.05, BatchSize = 8, Steps = 4, Loss = loss, CheckpointEvery = 1000,
    };

    private float[] FinalTheta(TrainingResult run, Trainer trainer)
    {
        var theta = new float[trainer.Network.ParameterCount];
        ParameterFile.Read<float>(Path.Combine(run.Folder, "final.safetensors"), trainer.Network.Layout, theta);
        return theta;
    }

    private static int[] Bits(float[] values) => [.. values.Select(BitConverter.SingleToInt32Bits)];

    [Theory]
    [InlineData("sgd", 1, "mse")]
    [InlineData("sgd", 1, "ce")]
    [InlineData("diag", 1, "mse")]
    [InlineData("iso", 1, "ce")]
    [InlineData("const", 1, "mse")]
    [InlineData(null, 1, "mse")]   // the SDE with h = η
    [InlineData(null, 3, "ce")]    // the SDE with 3 sub-steps: 3 GD steps of η/3
    public void With_zero_noise_noisy_gd_and_the_sde_are_plain_gd_bit_for_bit(string? gdNoise, int subSteps, string loss)
    {
        var config = Tiny(loss) with { GdNoise = gdNoise, Sde = gdNoise is null, SdeH = 0.05 / subSteps, NoiseMagnitude = 0 };
        using var store = RunStore.Open(temp.Path);
        var run = TrainingRun.Start(store, temp.Path, config);
        var trainer = new Trainer(config);

        // plain full-batch GD on the same samples from the same θ₀: L(θ), ∇L(θ) and θ ← θ − η' g
        var data = Datasets.Load(config.Dataset, new DataRequest { NumData = config.NumData, DatasetSeed = config.DatasetSeed });
        var objective = new Objective<float>(trainer.Network, Loss<float>.FromName(loss), data.Train<float>(loss));
        var theta = trainer.InitialParameters();
        var gd = new Sgd<float>(theta.Length, config.LearningRate / subSteps);
        var g = new float[theta.Length];
        var losses = new List<double>();
        for (int t = 0; t < config.Steps * subSteps; t++)
        {
            var value = objective.Linearize(theta, g);
            if (t % subSteps == 0) losses.Add(value);
            gd.Step(theta, g);
        }

        Assert.Equal(RunStatus.Finished, run.Run.Status);
        Assert.Equal(Bits(theta), Bits(FinalTheta(run, trainer)));
        Assert.Equal(losses, store.Metrics(run.RunId, "loss").Select(r => r.Value));   // each step's loss is the full loss L(θ_t)
        // and the noise is there when asked for
        var noisy = TrainingRun.Start(store, temp.Path, config with { NoiseMagnitude = 1 });
        Assert.NotEqual(Bits(theta), Bits(FinalTheta(noisy, trainer)));
    }

    [Theory]
    [InlineData("mse")]
    [InlineData("ce")]
    public void Full_and_test_loss_and_accuracy_equal_a_direct_computation(string loss)
    {
        var config = Tiny(loss) with { Steps = 6, FullLossEvery = "4", TestEvery = "1<2/4" };
        using var store = RunStore.Open(temp.Path);
        var run = TrainingRun.Start(store, temp.Path, config);
        var trainer = new Trainer(config);
        var rows = store.Metrics(run.RunId);
        Assert.Equal([0, 4, 6], rows.Where(r => r.Name == "full_loss").Select(r => r.Step));
        Assert.Equal([0, 1, 4, 6], rows.Where(r => r.Name == "test_accuracy").Select(r => r.Step));

        var data = Datasets.Load(config.Dataset, new DataRequest { NumData = config.NumData, DatasetSeed = config.DatasetSeed });
        foreach (var (step, theta) in new[] { (0L, trainer.InitialParameters()), (6L, FinalTheta(run, trainer)) })
            foreach (var (prefix, split) in new[] { ("full", data.Train<float>(loss)), ("test", data.Test<float>(loss)) })
            {
                var (expectedLoss, expectedAccuracy) = SampleBySample(trainer.Network, split, theta);
                Assert.Equal(expectedLoss, rows.Single(r => r.Step == step && r.Name == prefix + "_loss").Value, 1e-5 * expectedLoss);
                Assert.Equal(expectedAccuracy, rows.Single(r => r.Step == step && r.Name == prefix + "_accuracy").Value);
            }
        Assert.Equal(1024, data.TestCount);
    }

    /// <summary>Mean loss and accuracy from one forward pass per sample, with the loss written out (MSE summed over outputs; CE).</summary>
    private static (double Loss, double Accuracy) SampleBySample(Network<float> network, Samples<float> split, float[] theta)
    {
        var tape = network.CreateTape(1);
        double total = 0;
        int correct = 0;
        for (int i = 0; i < split.Count; i++)
        {
            network.Forward(tape, theta, split.InputRows(i, 1), 1);
            var z = tape.Output.ToArray().Select(v => (double)v).ToArray();
            int predicted = Array.IndexOf(z, z.Max());
            int label;
            if (split.Labels is { } labels)
            {
                label = labels[i];
                var max = z.Max();
                total += max + Math.Log(z.Sum(v => Math.Exp(v - max))) - z[label];
            }
            else
            {
                var y = split.Targets!.AsSpan(i * split.Outputs, split.Outputs).ToArray();
                label = Array.IndexOf(y, 1f);
                total += z.Zip(y, (a, b) => (a - b) * (a - b)).Sum();
            }
            if (predicted == label) correct++;
        }
        return (total / split.Count, (double)correct / split.Count);
    }

    [Fact]
    public void Step_sharpness_at_the_last_step_is_taken_on_the_batch_a_longer_run_trains_on_next()
    {
        // The last step has no update, so no batch of its own: the current-batch measurements take the batch the next
        // step would train on, which a longer (or resumed) run does train on from the same θ.
        var config = Tiny("mse") with { NumData = 256, Steps = 11, Measure = "step-sharpness@5" };
        using var store = RunStore.Open(temp.Path);
        var shorter = TrainingRun.Start(store, temp.Path, config);
        Assert.Equal(RunStatus.Finished, shorter.Run.Status);
        Assert.Equal([0, 5, 10, 11], store.Metrics(shorter.RunId, "step_sharpness").Select(r => r.Step));
        var last = store.Metrics(shorter.RunId, "step_sharpness")[^1].Value;

        var trainer = new Trainer(config);
        var data = Datasets.Load(config.Dataset, new DataRequest { NumData = config.NumData, DatasetSeed = config.DatasetSeed });
        var batch = data.Train<float>("mse").Gather(new BatchOrder(256, 8, config.OrderSeed).Batch(11));
        var (_, norm, curvature) = new Objective<float>(trainer.Network, Loss<float>.FromName("mse"), batch).CurvatureAlongGradient(FinalTheta(shorter, trainer));
        Assert.Equal(curvature / norm, last, 1e-9 * Math.Abs(last));
        Assert.True(last > 0);
        // a longer run passes step 11 at the same θ and trains on that batch: the same value, bit for bit
        var longer = TrainingRun.Start(store, temp.Path, config with { Steps = 16, Measure = "step-sharpness@1" });
        Assert.Equal(last, store.Metrics(longer.RunId, "step_sharpness").Single(r => r.Step == 11).Value);
    }
}
