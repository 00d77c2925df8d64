using SharpEdge.Nn;
using SharpEdge.Tests;

namespace SharpEdge.Training.Tests;

public sealed class CheckpointFolderTests : IDisposable
{
    private readonly TempFolder temp = new();
    private readonly ParameterLayout layout = ModelSpec.Parse("mlp:6-4-3:tanh").Build<float>([6], 3).Layout;

    public void Dispose() => temp.Dispose();

    private Checkpoint Sample(long step, CheckpointKind kind = CheckpointKind.Step)
    {
        var random = new Random((int)step + 1);
        float[] Vector() => [.. Enumerable.Range(0, layout.Count).Select(_ => (float)random.NextDouble() - 0.5f)];
        return new Checkpoint
        {
            Step = step,
            Kind = kind,
            Theta = Vector(),
            OptimizerName = "adam",
            OptimizerSteps = step,
            OptimizerState = new Dictionary<string, float[]> { ["exp_avg"] = Vector(), ["exp_avg_sq"] = Vector() },
            WarmStart = [("hessian", [[.. Enumerable.Range(0, layout.Count).Select(i => Math.Sin(i + step))], [.. Enumerable.Range(0, layout.Count).Select(i => Math.Cos(i * 0.1))]])],
            EpochLossSum = 1.0 / 3 + step,
            EpochLossCount = 7,
            BatchSize = 8,
            Seconds = Math.PI,
            NoiseSeed = ulong.MaxValue - 3,
            NoiseGenerator = new Numerics.RngState(ulong.MaxValue, 1, 0x8000_0000_0000_0000, 42, true, -0.1234567890123),
            NoiseVariance = [.. Enumerable.Range(0, layout.Count).Select(i => i / 7.0)],
            NoiseVarianceStep = step - 3,
        };
    }

    [Fact]
    public void The_quadratic_anchor_and_the_projection_basis_read_back_bit_for_bit()
    {
        var folder = new CheckpointFolder(temp.Path, layout);
        var sample = Sample(12);
        var quadratic = new TaylorAnchor(Sample(1).Theta, Sample(2).Theta, step: 9);
        var basis = new ProjectionBasis([[.. Enumerable.Range(0, layout.Count).Select(i => Math.Sin(3.0 * i))], [.. Enumerable.Range(0, layout.Count).Select(i => 1.0 / (i + 1))]],
            [12.5, -1.0 / 3], step: 11);
        folder.Write(sample with { Quadratic = quadratic, Projection = basis });
        var read = folder.Read(12);
        Assert.Equal(quadratic.Anchor, read.Quadratic!.Anchor);
        Assert.Equal(quadratic.Delta, read.Quadratic.Delta);
        Assert.Equal(9, read.Quadratic.Step);
        Assert.Equal(basis.Vectors, read.Projection!.Vectors);
        Assert.Equal(basis.Eigenvalues, read.Projection.Eigenvalues);
        Assert.Equal(11, read.Projection.Step);
        // a checkpoint of a run without them has none
        folder.Write(Sample(13));
        Assert.Null(folder.Read(13).Quadratic);
        Assert.Null(folder.Read(13).Projection);
    }

    [Fact]
    public void A_checkpoint_reads_back_bit_for_bit()
    {
        var folder = new CheckpointFolder(temp.Path, layout);
        var written = Sample(40);
        folder.Write(written);
        var read = folder.Read(40);
        Assert.Equal(written.Theta, read.Theta);
        Assert.Equal(written.OptimizerState.Keys.Order(), read.OptimizerState.Keys.Order());
        foreach (var (name, buffer) in written.OptimizerState) Assert.Equal(buffer, read.OptimizerState[name]);
        Assert.Equal("hessian", Assert.Single(read.WarmStart).Key);
        Assert.Equal(written.WarmStart[0].Vectors, read.WarmStart[0].Vectors);
        Assert.Equal((written.Step, written.Kind, written.OptimizerName, written.OptimizerSteps, written.EpochLossSum, written.EpochLossCount, written.BatchSize, written.Seconds),
            (read.Step, read.Kind, read.OptimizerName, read.OptimizerSteps, read.EpochLossSum, read.EpochLossCount, read.BatchSize, read.Seconds));
        Assert.Equal((written.NoiseSeed, written.NoiseGenerator, written.NoiseVarianceStep), (read.NoiseSeed, read.NoiseGenerator, read.NoiseVarianceStep));
        Assert.Equal(written.NoiseVariance, read.NoiseVariance);
        // θ is stored under PyTorch names, so other tools read it as a state_dict
        var (tensors, _) = Numerics.Io.SafeTensors.Read(folder.TensorPath(40));
        Assert.Equal(written.Theta[..12], Assert.IsType<float[]>(tensors.Single(t => t.Name == "layers.0.weight").Data)[..12]);
    }

    [Fact]
    public void BatchNorm_running_statistics_travel_with_the_checkpoint_under_pytorch_names()
    {
        var network = ModelSpec.Parse("resnet_bn:blocks=1-1-1:width=2").Build<float>([1, 6, 6], 3);
        var folder = new CheckpointFolder(temp.Path, network.Layout, network.BufferLayout);
        var buffers = Enumerable.Range(0, network.BufferLayout.Count).Select(i => 0.25f * i).ToArray();
        foreach (var t in network.BufferLayout.Tensors.Where(t => t.Name.EndsWith("num_batches_tracked"))) buffers[t.Offset] = 12;
        folder.Write(new Checkpoint
        {
            Step = 3, Kind = CheckpointKind.Step, Theta = new float[network.ParameterCount], OptimizerName = "sgd", OptimizerSteps = 3,
            OptimizerState = new Dictionary<string, float[]>(), Buffers = buffers,
        });
        Assert.Equal(buffers, folder.Read(3).Buffers);
        var (tensors, _) = Numerics.Io.SafeTensors.Read(folder.TensorPath(3));
        Assert.Equal(new long[] { 12 }, tensors.Single(t => t.Name == "layer1.0.bn2.num_batches_tracked").Data);
        Assert.Equal(buffers.AsSpan(0, 2).ToArray(), Assert.IsType<float[]>(tensors.Single(t => t.Name == "bn1.running_mean").Data));
    }

    [Fact]
    public void Flipped_truncated_or_garbled_files_are_reported_as_corrupt()
    {
        var folder = new CheckpointFolder(temp.Path, layout);
        folder.Write(Sample(10));
        var tensorPath = folder.TensorPath(10);
        var original = File.ReadAllBytes(tensorPath);

        var flipped = (byte[])original.Clone();
        flipped[^5] ^= 0x40;   // one bit of one parameter: same size, still a valid safetensors file
        File.WriteAllBytes(tensorPath, flipped);
        var error = Assert.Throws<InvalidDataException>(() => folder.Read(10)).Message;
        Assert.StartsWith($"checkpoint {folder.MetadataPath(10)} is corrupt: ", error);
        Assert.Contains("SHA-256", error);

        File.WriteAllBytes(tensorPath, original[..(original.Length / 2)]);
        Assert.Contains($"has {original.Length / 2} bytes, {original.Length} were written (truncated)", Assert.Throws<InvalidDataException>(() => folder.Read(10)).Message);

        File.WriteAllBytes(tensorPath, original);
        Assert.Equal(10, folder.Read(10).Step);
        File.WriteAllText(folder.MetadataPath(10), File.ReadAllText(folder.MetadataPath(10))[..40]);
        Assert.Contains("is corrupt: the metadata is not valid JSON", Assert.Throws<InvalidDataException>(() => folder.Read(10)).Message);

        Assert.Contains("no checkpoint at step 11", Assert.Throws<FileNotFoundException>(() => folder.Read(11)).Message);
        var otherModel = new CheckpointFolder(temp.Path, ModelSpec.Parse("mlp:6-5-3:tanh").Build<float>([6], 3).Layout);
        folder.Write(Sample(20));
        Assert.Contains("does not fit this model", Assert.Throws<InvalidDataException>(() => otherModel.Read(20)).Message);
    }

    [Fact]
    public void Timed_checkpoints_bridge_and_step_checkpoints_stay_unless_a_keep_limit_is_set()
    {
        var folder = new CheckpointFolder(temp.Path, layout);
        folder.Write(Sample(0));
        folder.Write(Sample(10));
        folder.Write(Sample(13, CheckpointKind.Time));
        File.WriteAllBytes(folder.TensorPath(17), [1, 2, 3]);   // a write killed before its metadata committed it
        folder.Write(Sample(20));
        Assert.Equal([0, 10, 20], folder.Steps());
        Assert.False(File.Exists(folder.TensorPath(13)));
        Assert.False(File.Exists(folder.TensorPath(17)));
        folder.Write(Sample(25, CheckpointKind.Final));
        folder.Write(Sample(30), keepSteps: 2);
        Assert.Equal([20, 25, 30], folder.Steps());   // the newest two step checkpoints and the final one
        Assert.Empty(Directory.EnumerateFiles(folder.Path, "*.tmp", SearchOption.AllDirectories));
    }
}
