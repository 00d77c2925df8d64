using System.IO.Compression;
using System.Text;
using SharpEdge.Numerics.Io;

namespace SharpEdge.TeacherStudent.Tests;

public sealed class PhaseOutputTests : IDisposable
{
    private readonly string root = Path.Combine(Path.GetTempPath(), "phase-output-tests-" + Guid.NewGuid().ToString("N"));

    public void Dispose()
    {
        if (Directory.Exists(root)) Directory.Delete(root, recursive: true);
    }

    // Expected strings from Python's "%.5g" % value.
    [Theory]
    [InlineData(1.0, "1")]
    [InlineData(0.125, "0.125")]
    [InlineData(1e6, "1e+06")]
    [InlineData(256.0, "256")]
    [InlineData(0.0001, "0.0001")]
    [InlineData(1e-5, "1e-05")]
    [InlineData(123456.0, "1.2346e+05")]
    [InlineData(1.03125, "1.0312")]
    [InlineData(99999.5, "1e+05")]
    [InlineData(1.0 / 3.0, "0.33333")]
    [InlineData(-2.5, "-2.5")]
    [InlineData(12345.5, "12346")]
    [InlineData(12346.5, "12346")]
    [InlineData(0.00012345678, "0.00012346")]
    [InlineData(5e-324, "4.9407e-324")]
    [InlineData(double.MaxValue, "1.7977e+308")]
    [InlineData(0.0, "0")]
    public void PercentGMatchesPython(double value, string expected) =>
        Assert.Equal(expected, PercentGFormat.Format(value, 5));

    [Fact]
    public void CellFolderIsNamedLikeGeneratePy()
    {
        var config = new TeacherStudentConfig { LearningRate = 0.125, StudentWidth = 256.0 };
        Assert.Equal("r2K16_tanh_lr0.125_bs4_eps256", PhaseOutput.CellDirectoryName(config));
        Assert.Equal(Path.Combine("out", "r2K16", "r2K16_relu_lr1e+06_bs4_eps1"),
            PhaseOutput.CellDirectory("out", config with { Activation = Activation.Relu, LearningRate = 1e6, StudentWidth = 1.0 }));
    }

    private static (TeacherStudentConfig Config, SeedResult[] Results) SmallCell()
    {
        var config = new TeacherStudentConfig { HiddenUnits = 4, BatchCount = 10, Epochs = 3, LearningRate = 0.5, StudentWidth = 2.0 };
        return (config, TeacherStudentTrainer.TrainCell(config, [3, 4], threads: 2));
    }

    [Fact]
    public void NpzRoundTripsEveryArrayAndParameter()
    {
        var (config, results) = SmallCell();
        string path = PhaseOutput.Write(root, config, results);
        Assert.Equal(Path.Combine(root, "r2K4", "r2K4_tanh_lr0.5_bs4_eps2", "data.npz"), path);

        var arrays = Npz.Read(path);
        Assert.Equal(new[] { 2, 4, 4, 8 }, arrays["W"].Shape);
        Assert.Equal(new[] { 2, 4, 4, 8 }, arrays["dW"].Shape);
        Assert.Equal(new[] { 2, 4 }, arrays["loss"].Shape);
        Assert.Equal(new[] { 2, 4, 8 }, arrays["Wt"].Shape);
        Assert.Equal(new[] { 2, 1, 4 }, arrays["Z"].Shape);
        Assert.Equal(new[] { 2, 8, 3 }, arrays["M"].Shape);
        Assert.Equal(results[0].History.Weights.Concat(results[1].History.Weights), arrays["W"].AsFloat64());
        Assert.Equal(results[0].History.Gradients.Concat(results[1].History.Gradients), arrays["dW"].AsFloat64());
        Assert.Equal(results[0].History.Losses.Concat(results[1].History.Losses), arrays["loss"].AsFloat64());
        Assert.Equal(results[1].Teacher, arrays["Wt"].AsFloat64()[32..]);
        Assert.Equal(new long[] { 3, 4 }, arrays["seeds"].AsInt64());
        Assert.Equal(new long[] { -1, -1 }, arrays["diverged_epoch"].AsInt64());
        Assert.Equal(new long[] { 0, 1, 2, 3 }, arrays["save_epochs"].AsInt64());
        Assert.Equal("tanh", Encoding.ASCII.GetString((byte[])arrays["actf"].Data));
        Assert.Equal(0.5, arrays["lr"].AsFloat64().Single());
        Assert.Equal(2.0, arrays["eps"].AsFloat64().Single());
        Assert.Equal(0.125, arrays["T"].AsFloat64().Single());
        Assert.Empty(arrays["lr"].Shape);
        Assert.Equal(4L, arrays["bs"].AsInt64().Single());
        Assert.Equal(3L, arrays["epochs"].AsInt64().Single());
        Assert.Equal(1.0, arrays["W_sig"].AsFloat64().Single());
    }

    // More seeds later: the file keeps the old ones bit for bit and appends the new ones.
    [Fact]
    public void AddSeedsAppendsToTheCellWithoutTouchingExistingSeeds()
    {
        var (config, results) = SmallCell();
        PhaseOutput.AddSeeds(root, config, results[..1]);
        string path = PhaseOutput.AddSeeds(root, config, results[1..]);
        var arrays = Npz.Read(path);
        Assert.Equal(new long[] { 3, 4 }, arrays["seeds"].AsInt64());
        Assert.Equal(new[] { 2, 4, 4, 8 }, arrays["W"].Shape);
        Assert.Equal(results[0].History.Weights.Concat(results[1].History.Weights), arrays["W"].AsFloat64());
        Assert.Equal(new[] { 2, 8, 3 }, arrays["M"].Shape);

        var duplicate = Assert.Throws<InvalidOperationException>(() => PhaseOutput.AddSeeds(root, config, results[1..]));
        Assert.Contains("already holds seed(s) 4", duplicate.Message);
        // A file of another configuration in the same folder (same name, different width of Z) is refused.
        var other = config with { ReadoutWidth = 2.0 };
        var mismatch = Assert.Throws<InvalidOperationException>(() =>
            PhaseOutput.AddSeeds(root, other, TeacherStudentTrainer.TrainCell(other, [9], threads: 1)));
        Assert.Contains("Z_sig", mismatch.Message);
    }

    // The original's layout (§3.4): one stored member arr_0.npy, a 0-d object array whose protocol-3 pickle
    // holds the dict. bench/phase_npz_check.py loads it with NumPy.
    [Fact]
    public void PhaseMlFormatIsOneObjectArrayMember()
    {
        var (config, results) = SmallCell();
        string path = PhaseOutput.Write(root, config, results, OutputFormat.PhaseMl);
        using var archive = ZipFile.OpenRead(path);
        var entry = Assert.Single(archive.Entries);
        Assert.Equal("arr_0.npy", entry.FullName);
        using var stream = new MemoryStream();
        using (var member = entry.Open()) member.CopyTo(stream);
        byte[] bytes = stream.ToArray();
        Assert.Equal(0x93, bytes[0]);
        Assert.Equal("NUMPY", Encoding.ASCII.GetString(bytes, 1, 5));
        int headerLength = bytes[8] | bytes[9] << 8;
        Assert.Equal(0, (10 + headerLength) % 64);
        Assert.StartsWith("{'descr': '|O', 'fortran_order': False, 'shape': (), }", Encoding.ASCII.GetString(bytes, 10, headerLength));
        byte[] pickle = bytes[(10 + headerLength)..];
        Assert.Equal(new byte[] { 0x80, 3 }, pickle[..2]);
        Assert.Equal((byte)'.', pickle[^1]);
        // W, dW: 2·4·4·8 doubles each; loss 2·4; Wt 2·32; Z 2·4; M 2·24 — all stored raw.
        Assert.True(pickle.Length > 8 * (2 * 128 + 8 + 64 + 8 + 48));
    }
}
