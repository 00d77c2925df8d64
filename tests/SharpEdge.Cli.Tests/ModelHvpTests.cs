using System.Text.Json;
using SharpEdge.Nn;
using SharpEdge.Numerics;
using SharpEdge.Numerics.Io;

namespace SharpEdge.Cli.Tests;

public class ModelHvpTests
{
    private const string Spec = "mlp:6-5-4:tanh";
    private const int N = 9, Classes = 4;

    private sealed record Files(string Dir, string Params, string X, string Y, string V, string Out, string Grad, double[] Theta, double[] Inputs, double[] Targets, double[] Direction);

    private static Files Write(string loss = "mse")
    {
        var dir = CliRunner.TempDirectory();
        var network = ModelSpec.Parse(Spec).Build<double>([6], Classes);
        var rng = new Rng(5);
        double[] Random(int n) => Enumerable.Range(0, n).Select(_ => rng.NextNormal()).ToArray();
        var theta = Random(network.ParameterCount);
        var x = Random(N * 6);
        var y = Random(N * Classes);
        var v = Random(network.ParameterCount);
        var files = new Files(dir, Path.Combine(dir, "P.safetensors"), Path.Combine(dir, "X.npy"), Path.Combine(dir, "Y.npy"), Path.Combine(dir, "V.npy"),
            Path.Combine(dir, "HV.npy"), Path.Combine(dir, "G.npy"), theta, x, y, v);
        SafeTensors.Write(files.Params, network.Layout.Tensors.Select(t => new TensorEntry(t.Name, theta.AsSpan(t.Offset, t.Count).ToArray(), t.Shape)));
        Npy.Write(files.X, x, N, 6);
        if (loss == "mse") Npy.Write(files.Y, y, N, Classes);
        else Npy.Write(files.Y, Enumerable.Range(0, N).Select(i => (long)(i % Classes)).ToArray(), N);
        Npy.Write(files.V, v, v.Length);
        return files;
    }

    private static string[] Args(Files f, string loss = "mse", params string[] extra) =>
        ["model", "hvp", "--model", Spec, "--params", f.Params, "--inputs", f.X, "--targets", f.Y, "--loss", loss, "--vector", f.V,
         "--out", f.Out, "--grad-out", f.Grad, "--json", .. extra];

    [Theory]
    [InlineData("mse")]
    [InlineData("ce")]
    public void Hvp_writes_the_engines_product_and_gradient(string loss)
    {
        var f = Write(loss);
        var r = CliRunner.Run(Args(f, loss));
        Assert.True(r.ExitCode == 0, r.Stderr);
        using var doc = JsonDocument.Parse(r.Stdout);
        var reportedLoss = doc.RootElement.GetProperty("loss").GetDouble();
        Assert.True(doc.RootElement.GetProperty("seconds").GetDouble() >= 0);

        var network = ModelSpec.Parse(Spec).Build<double>([6], Classes);
        var samples = loss == "mse"
            ? new Samples<double>(f.Inputs, [6], f.Targets, Classes, null)
            : new Samples<double>(f.Inputs, [6], null, Classes, Enumerable.Range(0, N).Select(i => i % Classes).ToArray());
        var objective = new Objective<double>(network, Loss<double>.FromName(loss), samples);
        var gradient = new double[network.ParameterCount];
        Assert.Equal(objective.Linearize(f.Theta, gradient), reportedLoss, 1e-14);
        var hv = new double[network.ParameterCount];
        objective.HessianVectorProduct(f.Direction, hv);
        Assert.Equal(hv, Npy.Read(f.Out).AsFloat64());
        Assert.Equal(gradient, Npy.Read(f.Grad).AsFloat64());
    }

    [Fact]
    public void Float32_output_is_written_as_float32()
    {
        var f = Write();
        var r = CliRunner.Run(Args(f, "mse", "--dtype", "f32"));
        Assert.True(r.ExitCode == 0, r.Stderr);
        Assert.Equal(NpyDtype.Float32, Npy.Read(f.Out).Dtype);
    }

    [Fact]
    public void A_wrongly_shaped_weight_is_named_with_both_shapes()
    {
        var f = Write();
        var network = ModelSpec.Parse("mlp:7-5-4:tanh").Build<double>([7], Classes);
        SafeTensors.Write(f.Params, network.Layout.Tensors.Select(t => new TensorEntry(t.Name, new double[t.Count], t.Shape)));
        var r = CliRunner.Run(Args(f));
        Assert.NotEqual(0, r.ExitCode);
        Assert.Contains("layers.0.weight", r.Stderr);
        Assert.Contains("[5,7]", r.Stderr.Replace(" ", ""));
        Assert.Contains("[5,6]", r.Stderr.Replace(" ", ""));
    }

    [Fact]
    public void NaN_in_inputs_is_reported_with_the_file()
    {
        var f = Write();
        var x = (double[])f.Inputs.Clone();
        x[13] = double.NaN;
        Npy.Write(f.X, x, N, 6);
        var r = CliRunner.Run(Args(f));
        Assert.NotEqual(0, r.ExitCode);
        Assert.Contains("X.npy", r.Stderr);
        Assert.Contains("NaN", r.Stderr);
        Assert.False(File.Exists(f.Out));
    }

    [Fact]
    public void A_truncated_input_file_is_reported()
    {
        var f = Write();
        var bytes = File.ReadAllBytes(f.X);
        File.WriteAllBytes(f.X, bytes[..(bytes.Length - 20)]);
        var r = CliRunner.Run(Args(f));
        Assert.NotEqual(0, r.ExitCode);
        Assert.Contains("X.npy", r.Stderr);
        Assert.Single(r.Stderr.Split('\n', StringSplitOptions.RemoveEmptyEntries));
    }

    [Fact]
    public void Float_targets_for_cross_entropy_are_a_dtype_error()
    {
        var f = Write("mse");
        var r = CliRunner.Run(Args(f, "ce"));
        Assert.NotEqual(0, r.ExitCode);
        Assert.Contains("int64", r.Stderr);
    }

    [Fact]
    public void A_direction_of_the_wrong_length_is_rejected()
    {
        var f = Write();
        Npy.Write(f.V, new double[3], 3);
        var r = CliRunner.Run(Args(f));
        Assert.NotEqual(0, r.ExitCode);
        Assert.Contains("3 values", r.Stderr);
    }
}
