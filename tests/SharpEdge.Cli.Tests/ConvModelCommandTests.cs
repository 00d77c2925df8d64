using System.Text.Json;
using SharpEdge.Nn;
using SharpEdge.Numerics;
using SharpEdge.Numerics.Io;
using SharpEdge.Runs;

namespace SharpEdge.Cli.Tests;

/// <summary>The conv presets through the CLI: model info with buffers, model hvp in both BatchNorm modes, train end to end.</summary>
public class ConvModelCommandTests
{
    private const string Spec = "resnet_bn:blocks=1-1-1:width=2";
    private const int N = 5, Classes = 3;
    private static readonly int[] Shape = [1, 6, 6];

    private static double RelativeError(double[] actual, double[] expected) =>
        Math.Sqrt(actual.Zip(expected, (a, e) => (a - e) * (a - e)).Sum() / expected.Sum(e => e * e));

    [Fact]
    public void Model_info_lists_parameters_and_buffers_separately()
    {
        var r = CliRunner.Run("model", "info", "--model", "resnet_bn", "--input-shape", "3x32x32", "--json");
        Assert.True(r.ExitCode == 0, r.Stderr);
        using var doc = JsonDocument.Parse(r.Stdout);
        Assert.Equal(172_506, doc.RootElement.GetProperty("parameters").GetInt32());
        var buffers = doc.RootElement.GetProperty("buffers").EnumerateArray().Select(b => b.GetProperty("name").GetString()).ToList();
        Assert.Equal(13 * 3, buffers.Count);
        Assert.Equal(["bn1.running_mean", "bn1.running_var", "bn1.num_batches_tracked"], buffers.Take(3));
        Assert.DoesNotContain(doc.RootElement.GetProperty("tensors").EnumerateArray(), t => t.GetProperty("name").GetString()!.Contains("running"));
    }

    /// <summary>
    /// A state_dict with buffers (num_batches_tracked as int64, as PyTorch saves it): --bn batch ignores the running
    /// statistics, --bn frozen uses them; both agree with the engine in process, and frozen without buffers is an error.
    /// </summary>
    [Fact]
    public void Model_hvp_uses_batch_statistics_by_default_and_running_statistics_when_frozen()
    {
        var dir = CliRunner.TempDirectory();
        var network = ModelSpec.Parse(Spec).Build<double>(Shape, Classes);
        var rng = new Rng(8);
        double[] Random(int n, double scale = 1) => Enumerable.Range(0, n).Select(_ => scale * rng.NextNormal()).ToArray();
        var theta = Random(network.ParameterCount, 0.5);
        var x = Random(N * 36);
        var y = Random(N * Classes);
        var v = Random(network.ParameterCount);
        var running = new double[network.BufferLayout.Count];
        foreach (var t in network.BufferLayout.Tensors)
            for (int i = 0; i < t.Count; i++)
                running[t.Offset + i] = t.Name.EndsWith("running_var") ? 0.5 + rng.NextDouble() : t.Name.EndsWith("running_mean") ? rng.NextNormal() : 7;
        string P(string name) => Path.Combine(dir, name);
        var entries = network.Layout.Tensors.Select(t => new TensorEntry(t.Name, theta.AsSpan(t.Offset, t.Count).ToArray(), t.Shape)).ToList();
        SafeTensors.Write(P("weights.safetensors"), entries);
        entries.AddRange(network.BufferLayout.Tensors.Select(t => t.Name.EndsWith("num_batches_tracked")
            ? new TensorEntry(t.Name, new long[] { 7 }, t.Shape)
            : new TensorEntry(t.Name, running.AsSpan(t.Offset, t.Count).ToArray(), t.Shape)));
        SafeTensors.Write(P("state.safetensors"), entries);
        Npy.Write(P("X.npy"), x, N, 1, 6, 6);
        Npy.Write(P("Y.npy"), y, N, Classes);
        Npy.Write(P("V.npy"), v, v.Length);

        var samples = new Samples<double>(x, Shape, y, Classes, null);
        foreach (var (bn, file) in new[] { ("batch", "weights.safetensors"), ("batch", "state.safetensors"), ("frozen", "state.safetensors") })
        {
            var r = CliRunner.Run("model", "hvp", "--model", Spec, "--params", P(file), "--inputs", P("X.npy"), "--targets", P("Y.npy"),
                "--vector", P("V.npy"), "--out", P("HV.npy"), "--grad-out", P("G.npy"), "--bn", bn, "--json");
            Assert.True(r.ExitCode == 0, r.Stderr);
            network.Normalization = bn == "frozen" ? NormalizationMode.RunningStatistics : NormalizationMode.BatchStatistics;
            network.SetBuffers(running);
            var objective = new Objective<double>(network, new MeanSquaredError<double>(), samples);
            var gradient = new double[theta.Length];
            using var doc = JsonDocument.Parse(r.Stdout);
            Assert.Equal(objective.Linearize(theta, gradient), doc.RootElement.GetProperty("loss").GetDouble(), 1e-13);
            var hv = new double[theta.Length];
            objective.HessianVectorProduct(v, hv);
            // the CLI runs on one thread here, this process on all: sums over samples may associate differently
            Assert.True(RelativeError(Npy.Read(P("HV.npy")).AsFloat64(), hv) < 1e-12, $"{bn}, {file}: H·v differs");
            Assert.True(RelativeError(Npy.Read(P("G.npy")).AsFloat64(), gradient) < 1e-12, $"{bn}, {file}: gradient differs");
        }

        var frozen = CliRunner.Run("model", "hvp", "--model", Spec, "--params", P("weights.safetensors"), "--inputs", P("X.npy"), "--targets", P("Y.npy"),
            "--vector", P("V.npy"), "--out", P("HV.npy"), "--bn", "frozen");
        Assert.NotEqual(0, frozen.ExitCode);
        Assert.Contains("missing tensor 'bn1.running_mean'", frozen.Stderr);
    }

    /// <summary>
    /// `train` on 1-channel Fashion-MNIST images with a ResNet (BatchNorm): λ_max and batch sharpness are recorded, and
    /// final.safetensors holds the running statistics of one update per step.
    /// </summary>
    [Fact]
    public void Train_runs_a_batchnorm_resnet_end_to_end_with_curvature_measurements()
    {
        var dir = CliRunner.TempDirectory();
        var env = new Dictionary<string, string> { ["SHARPEDGE_RESULTS"] = Path.Combine(dir, "results") };
        var r = CliRunner.RunWithEnvironment(env, "train", "--model", "resnet_bn:blocks=1-1-1:width=2", "--num-data", "32", "--lr", "0.02",
            "--batch", "8", "--steps", "4", "--measure", "lambda-max,batch-sharpness", "--measure-every", "4", "--name", "conv", "--json");
        Assert.True(r.ExitCode == 0, r.Stderr);
        using var doc = JsonDocument.Parse(r.Stdout);
        Assert.Equal("finished", doc.RootElement.GetProperty("status").GetString());
        using var store = RunStore.Open(Path.Combine(dir, "results"), readOnly: true);
        var run = Assert.Single(store.ListRuns());
        Assert.Equal(new long[] { 0, 4 }, store.Metrics(run.Id, "lambda_max").Select(m => m.Step));
        Assert.All(store.Metrics(run.Id, "lambda_max"), m => Assert.True(m.Value > 0 && double.IsFinite(m.Value)));
        Assert.All(store.Metrics(run.Id, "batch_sharpness"), m => Assert.True(double.IsFinite(m.Value)));

        var (tensors, _) = SafeTensors.Read(Path.Combine(run.Folder!, "final.safetensors"));
        var count = Assert.Single(tensors, t => t.Name == "layer2.0.bn1.num_batches_tracked");
        Assert.Equal(NpyDtype.Int64, count.Dtype);
        Assert.Equal(4L, ((long[])count.Data)[0]);
        var mean = Assert.Single(tensors, t => t.Name == "bn1.running_mean");
        Assert.Contains(((float[])mean.Data), m => m != 0);
    }
}
