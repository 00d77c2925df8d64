using SharpEdge.Runs;
using static SharpEdge.Training.Tests.DoubleProblem;
using static SharpEdge.Training.Tests.TrainedReference;
using SharpEdge.Tests;

namespace SharpEdge.Training.Tests;

public sealed class QuadraticTrainingTests : IDisposable
{
    private readonly TempFolder temp = new();

    public void Dispose() => temp.Dispose();

    private static int[] Bits(float[] values) => [.. values.Select(BitConverter.SingleToInt32Bits)];

    [Fact]
    public void Model_steps_are_theta_s_minus_eta_times_g_plus_H_delta_on_each_batch_with_a_dense_hessian()
    {
        var config = new TrainingConfig
        {
            Model = "mlp:784-2-10:tanh", NumData = 64, LearningRate = 0.05, BatchSize = 8, Steps = 6, CheckpointEvery = 1, QuadSwitchStep = 3, QuadSwitchLr = 0.08,
        };
        using var store = RunStore.Open(temp.Path);
        var run = TrainingRun.Start(store, temp.Path, config);
        Assert.Equal(RunStatus.Finished, run.Run.Status);
        var r = new TrainedReference(config, run.Folder);

        Assert.Null(r.At(3).Quadratic);   // the checkpoint of step 3 is taken before the anchor
        var anchor = r.At(4).Quadratic!;
        Assert.Equal(3, anchor.Step);
        Assert.Equal(Bits(r.At(3).Theta), Bits(anchor.Anchor));
        var theta3 = Wide(anchor.Anchor);
        const double lr = 0.08;
        // step 3: δ = 0, so the model step is an SGD step (of η′)
        var delta1 = Gradient(r.Batch(3), theta3).Select(g => -lr * g).ToArray();
        // step 4: δ ← δ − η′ (g_B4(θ₃) + H_B4(θ₃) δ), H_B4 the dense Hessian of batch 4 by finite differences
        var batch4 = r.Batch(4);
        var g4 = Gradient(batch4, theta3);
        var hDelta = Times(FiniteDifferenceHessian(batch4, theta3), delta1);
        var delta2 = delta1.Select((d, j) => d - lr * (g4[j] + hDelta[j])).ToArray();

        Assert.InRange(Distance(Wide(r.At(4).Quadratic!.Delta), delta1) / Norm(delta1), 0, 1e-5);
        Assert.InRange(Distance(Wide(r.At(5).Quadratic!.Delta), delta2) / Norm(delta2), 0, 1e-5);
        var theta5 = theta3.Zip(delta2, (a, d) => a + d).ToArray();
        Assert.InRange(Distance(Wide(r.At(5).Theta), theta5), 0, 1e-5 * Norm(delta2));
        Assert.Equal(Bits(anchor.Anchor), Bits(r.At(5).Quadratic!.Anchor));   // θ_s stays put

        // the loss of step 4 is the model's batch loss there, and quadratic_loss the model's full-data loss
        var loss4 = store.Metrics(run.RunId, "loss").Single(m => m.Step == 4).Value;
        Assert.Equal(batch4.Evaluate(theta3) + Dot(g4, delta1) + 0.5 * Dot(delta1, Times(FiniteDifferenceHessian(batch4, theta3), delta1)), loss4, 1e-5 * loss4);
        var full = r.Full();
        var quadratic5 = store.Metrics(run.RunId, "quadratic_loss").Single(m => m.Step == 5).Value;
        var delta5 = Wide(r.At(5).Quadratic!.Delta);
        Assert.Equal(full.Evaluate(theta3) + Dot(Gradient(full, theta3), delta5) + 0.5 * Dot(delta5, DirectionalHessian(full, theta3, delta5)), quadratic5, 1e-5 * quadratic5);
        Assert.Equal([4, 5, 6], store.Metrics(run.RunId, "quadratic_loss").Select(m => m.Step));

        // up to the switch it is SGD, and the first model step with η′ = η is SGD's step bit for bit
        var sgd = TrainingRun.Start(store, temp.Path, config with { QuadSwitchStep = null, QuadSwitchLr = null, Steps = 4 });
        var same = TrainingRun.Start(store, temp.Path, config with { QuadSwitchLr = null, Steps = 4 });
        var layout = r.Trainer.Network.Layout;
        Assert.Equal(Bits(new CheckpointFolder(sgd.Folder, layout).Read(4).Theta), Bits(new CheckpointFolder(same.Folder, layout).Read(4).Theta));
        Assert.Equal(store.Metrics(sgd.RunId, "loss").Select(m => m.Value), store.Metrics(same.RunId, "loss").Select(m => m.Value));
    }

    [Fact]
    public void On_linear_regression_quadratic_dynamics_track_sgd_to_float32_rounding()
    {
        // MSE of a linear model is its own Taylor model: the float32 runs differ by rounding only (1e-12 in float64: TaylorModelTests)
        var config = new TrainingConfig { Model = "mlp:784-10:identity", NumData = 128, LearningRate = 0.01, BatchSize = 8, Steps = 25, CheckpointEvery = 1000 };
        using var store = RunStore.Open(temp.Path);
        var sgd = TrainingRun.Start(store, temp.Path, config);
        var quadratic = TrainingRun.Start(store, temp.Path, config with { QuadSwitchStep = 2, QuadLossEvery = "4", FullLossEvery = "4" });
        var r = new TrainedReference(config, sgd.Folder);
        var a = new float[r.Trainer.Network.ParameterCount];
        var b = new float[a.Length];
        SharpEdge.Nn.ParameterFile.Read<float>(Path.Combine(sgd.Folder, "final.safetensors"), r.Trainer.Network.Layout, a);
        SharpEdge.Nn.ParameterFile.Read<float>(Path.Combine(quadratic.Folder, "final.safetensors"), r.Trainer.Network.Layout, b);
        var initial = Wide(r.Trainer.InitialParameters());
        Assert.InRange(Distance(Wide(a), Wide(b)) / Distance(Wide(a), initial), 0, 1e-4);
        foreach (var (x, y) in store.Metrics(sgd.RunId, "loss").Zip(store.Metrics(quadratic.RunId, "loss")))
            Assert.Equal(x.Value, y.Value, 1e-5 * x.Value);
        // and the model's full loss is the full loss
        var full = store.Metrics(quadratic.RunId, "full_loss").Where(m => m.Step > 2).ToList();
        Assert.Equal(full.Select(m => m.Step), store.Metrics(quadratic.RunId, "quadratic_loss").Select(m => m.Step));
        foreach (var (x, y) in full.Zip(store.Metrics(quadratic.RunId, "quadratic_loss")))
            Assert.Equal(x.Value, y.Value, 1e-5 * x.Value);
    }
}
