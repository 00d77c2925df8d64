using System.Text.Json.Nodes;
using SharpEdge.Runs;
using SharpEdge.Tests;

namespace SharpEdge.Training.Tests;

/// <summary>Resume and fork across the switch of quadratic dynamics and projected SGD, with trajectory records and final.json.</summary>
public sealed class SwitchedResumeTests : IDisposable
{
    private readonly TempFolder temp = new();

    public void Dispose() => temp.Dispose();

    private static TrainingConfig Tiny(long steps, string mode, bool final = true) => new()
    {
        Model = "mlp:784-4-10:tanh", NumData = 128, LearningRate = 0.05, BatchSize = 8, Steps = steps, CheckpointEvery = 5,
        Measure = "step-sharpness@1<3/9", TrajectoryEvery = "6", Final = final,
        QuadSwitchStep = mode == "quadratic" ? 8 : null, QuadLossEvery = "3",
        ProjSwitchStep = mode == "projected" ? 8 : null, ProjTopL = mode == "projected" ? 2 : 0, ProjRefresh = "4",
    };

    private static byte[] Bytes(string folder, string file) => File.ReadAllBytes(Path.Combine(folder, file));

    private static JsonObject FinalJson(string folder)
    {
        var json = (JsonObject)JsonNode.Parse(File.ReadAllText(Path.Combine(folder, FinalReport.FileName)))!;
        json.Remove("timestamp");
        json.Remove("run_id");
        return json;
    }

    [Theory]
    [InlineData("quadratic")]
    [InlineData("projected")]
    public void A_run_resumed_before_and_after_the_switch_repeats_the_uninterrupted_run_bit_for_bit(string mode)
    {
        using var store = RunStore.Open(temp.Path);
        var reference = TrainingRun.Start(store, temp.Path, Tiny(20, mode));
        var crashed = TrainingRun.Start(store, temp.Path, Tiny(25, mode));
        // as if killed during step 9: only the checkpoints of steps 0 and 5 (before the switch at 8) were written
        foreach (var file in Directory.EnumerateFiles(Path.Combine(crashed.Folder, CheckpointFolder.FolderName)))
            if (long.Parse(Path.GetFileNameWithoutExtension(file).Split('_')[^1]) >= 10) File.Delete(file);
        store.UpdateStatus(crashed.RunId, RunStatus.Interrupted);

        var first = TrainingRun.Resume(store, crashed.RunId.ToString(), steps: 15);   // from 5, across the switch
        Assert.Equal(RunStatus.Finished, first.Run.Status);
        var checkpoint = new CheckpointFolder(crashed.Folder, new Trainer(Tiny(20, mode)).Network.Layout).Read(15);
        Assert.True(mode == "quadratic" ? checkpoint.Quadratic is { Step: 8 } : checkpoint.Projection is { Step: 12, Rank: 2 });
        var second = TrainingRun.Resume(store, crashed.RunId.ToString(), steps: 20);   // from 15, past the switch: the state comes from the checkpoint

        Assert.Equal(RunStatus.Finished, second.Run.Status);
        var expected = store.Metrics(reference.RunId);
        Assert.Contains(expected, m => m.Name == (mode == "quadratic" ? "quadratic_loss" : "proj_grad_ratio") && m.Step == 18);
        Assert.Equal([0, 6, 12, 18, 20], TrajectoryFolder.Steps(reference.Folder));
        Assert.Equal(expected, store.Metrics(second.RunId));
        Assert.Equal(Bytes(reference.Folder, "final.safetensors"), Bytes(second.Folder, "final.safetensors"));
        Assert.Equal(TrajectoryFolder.Steps(reference.Folder), TrajectoryFolder.Steps(second.Folder));
        foreach (var step in TrajectoryFolder.Steps(reference.Folder))
            Assert.Equal(Bytes(reference.Folder, $"trajectory/step_{step}.npy"), Bytes(second.Folder, $"trajectory/step_{step}.npy"));
        Assert.Equal(FinalJson(reference.Folder).ToJsonString(), FinalJson(second.Folder).ToJsonString());
    }

    [Fact]
    public void A_fork_past_the_switch_keeps_the_anchor_and_one_with_none_trains_on_the_true_loss_from_there()
    {
        using var store = RunStore.Open(temp.Path);
        var parent = TrainingRun.Start(store, temp.Path, Tiny(20, "quadratic", final: false));
        var same = TrainingRun.Fork(store, temp.Path, parent.RunId.ToString(), 15, Tiny(20, "quadratic", final: false));
        Assert.Equal(store.Metrics(parent.RunId).Where(m => m.Step >= 15), store.Metrics(same.RunId));
        Assert.Equal(Bytes(parent.Folder, "final.safetensors"), Bytes(same.Folder, "final.safetensors"));

        var released = TrainingRun.Fork(store, temp.Path, parent.RunId.ToString(), 15, Tiny(20, "none", final: false));
        Assert.Empty(store.Metrics(released.RunId, "quadratic_loss"));
        var parentLoss = store.Metrics(parent.RunId, "loss").Single(m => m.Step == 15).Value;   // the model's batch loss
        var trueLoss = store.Metrics(released.RunId, "loss").Single(m => m.Step == 15).Value;   // the true batch loss at the same θ
        var r = new TrainedReference(Tiny(20, "none"), parent.Folder);
        Assert.Equal(r.Batch(15).Evaluate(TrainedReference.Wide(r.At(15).Theta)), trueLoss, 1e-5 * trueLoss);
        Assert.NotEqual(parentLoss, trueLoss);
    }
}
