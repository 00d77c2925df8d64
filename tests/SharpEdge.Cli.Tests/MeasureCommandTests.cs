using System.Text.Json;
using SharpEdge.Curvature;
using SharpEdge.Nn;
using SharpEdge.Numerics;
using SharpEdge.Numerics.Io;

namespace SharpEdge.Cli.Tests;

public class MeasureCommandTests
{
    private const string Spec = "mlp:6-5-4:tanh";
    private const int N = 24, Classes = 4;

    private sealed record Files(string Dir, string Params, string X, string Y, double[] Theta, double[] Inputs, double[] Targets);

    private static Files Write(ulong seed = 5)
    {
        var dir = CliRunner.TempDirectory();
        var network = ModelSpec.Parse(Spec).Build<double>([6], Classes);
        var rng = new Rng(seed);
        double[] Random(int n) => Enumerable.Range(0, n).Select(_ => rng.NextNormal()).ToArray();
        var files = new Files(dir, Path.Combine(dir, "P.safetensors"), Path.Combine(dir, "X.npy"), Path.Combine(dir, "Y.npy"),
            Random(network.ParameterCount), Random(N * 6), Random(N * Classes));
        WriteParameters(files.Params, network, files.Theta);
        Npy.Write(files.X, files.Inputs, N, 6);
        Npy.Write(files.Y, files.Targets, N, Classes);
        return files;
    }

    private static void WriteParameters(string path, Network<double> network, double[] theta) =>
        SafeTensors.Write(path, network.Layout.Tensors.Select(t => new TensorEntry(t.Name, theta.AsSpan(t.Offset, t.Count).ToArray(), t.Shape)));

    private static string[] Args(Files f, string measure, params string[] extra) =>
        ["measure", "--model", Spec, "--params", f.Params, "--inputs", f.X, "--targets", f.Y, "--loss", "mse", "--measure", measure, "--json", .. extra];

    [Theory]
    [InlineData("measure", "--help")]
    [InlineData("bench", "measure", "--help")]
    public void Help_exits_zero(params string[] args)
    {
        var r = CliRunner.Run(args);
        Assert.Equal(0, r.ExitCode);
        Assert.Contains("Usage", r.Stdout);
    }

    // Without a GPU, --device cuda is one error line naming only the choices measure's --device accepts (cpu, not auto).
    [Fact]
    public void Device_cuda_without_a_gpu_is_one_error_naming_cpu()
    {
        using (var cuda = Gpu.GpuDevice.TryOpenCuda()) if (cuda is not null) return;
        var f = Write();
        var r = CliRunner.Run([.. Args(f, "lambda-max"), "--device", "cuda"]);
        Assert.Equal(1, r.ExitCode);
        var line = Assert.Single(r.Stderr.Split((char)10, StringSplitOptions.RemoveEmptyEntries));
        Assert.Equal("sharpedge: error: --device cuda: no CUDA device found (no NVIDIA GPU, or no CUDA driver ILGPU can load); use --device cpu", line);
    }

    // --device cuda on ILGPU's CPU accelerator (SHARPEDGE_CUDA_EMULATION): the eigen-measurements of H and G come from the
    // GPU engine and equal the CPU engine's, the Gauss-Newton batch sharpness too; batch sharpness of batches this small
    // stays on the CPU workers (their Gram path is faster), and a measurement the GPU does not run (GNI) runs on the CPU.
    [Fact]
    public void Device_cuda_gives_the_cpu_eigenvalues()
    {
        var f = Write();
        string[] extra = ["--seed", "3", "--tol", "1e-10", "--batch", "4", "--min-samples", "12", "--max-samples", "12"];
        const string Measured = "lambda-max,top-k=3,gn-lambda-max,trace,gni,batch-sharpness,gn-batch-sharpness";
        var cpu = CliRunner.Run(Args(f, Measured, extra));
        var gpu = CliRunner.RunWithEnvironment(new() { ["SHARPEDGE_CUDA_EMULATION"] = "1" }, [.. Args(f, Measured, extra), "--device", "cuda"]);
        Assert.True(cpu.ExitCode == 0, cpu.Stderr);
        Assert.True(gpu.ExitCode == 0, gpu.Stderr);
        Assert.Contains("the eigen-measurements of H and G and gn-batch-sharpness on ILGPU CPU accelerator", gpu.Stderr);
        Assert.Contains("measure: batch sharpness stays on the CPU workers", gpu.Stderr);
        using var c = JsonDocument.Parse(cpu.Stdout);
        using var g = JsonDocument.Parse(gpu.Stdout);
        Assert.Equal("cpu", c.RootElement.GetProperty("device").GetString());
        Assert.StartsWith("ILGPU CPU accelerator", g.RootElement.GetProperty("device").GetString());
        var (cm, gm) = (c.RootElement.GetProperty("measurements"), g.RootElement.GetProperty("measurements"));
        double expected = cm.GetProperty("lambda-max").GetProperty("value").GetDouble();
        Assert.Equal(expected, gm.GetProperty("lambda-max").GetProperty("value").GetDouble(), 1e-9 * Math.Abs(expected));
        var cpuTop = cm.GetProperty("top-k").GetProperty("value").EnumerateArray().Select(v => v.GetDouble()).ToArray();
        var gpuTop = gm.GetProperty("top-k").GetProperty("value").EnumerateArray().Select(v => v.GetDouble()).ToArray();
        for (int i = 0; i < 3; i++) Assert.Equal(cpuTop[i], gpuTop[i], 1e-8 * Math.Abs(cpuTop[0]));
        double gaussNewton = cm.GetProperty("gn-lambda-max").GetProperty("value").GetDouble();
        Assert.Equal(gaussNewton, gm.GetProperty("gn-lambda-max").GetProperty("value").GetDouble(), 1e-9 * Math.Abs(gaussNewton));
        Assert.NotEqual(expected, gaussNewton, 1e-3 * Math.Abs(expected));   // G is not H here
        // Hutchinson's trace from the engine's H·v on the same probes
        double trace = cm.GetProperty("trace").GetProperty("value").GetDouble();
        Assert.Equal(trace, gm.GetProperty("trace").GetProperty("value").GetDouble(), 1e-10 * Math.Abs(trace));
        Assert.Equal(cm.GetProperty("trace").GetProperty("se").GetDouble(), gm.GetProperty("trace").GetProperty("se").GetDouble(), 1e-8 * Math.Abs(trace));
        Assert.Equal(cm.GetProperty("gni").GetProperty("value").GetDouble(), gm.GetProperty("gni").GetProperty("value").GetDouble(), 1e-12);
        // batch sharpness's batches on the device engine: the same 12 batches, the same estimate
        double sharpness = cm.GetProperty("batch-sharpness").GetProperty("value").GetDouble();
        Assert.Equal(sharpness, gm.GetProperty("batch-sharpness").GetProperty("value").GetDouble(), 1e-10 * Math.Abs(sharpness));
        double gaussNewtonSharpness = cm.GetProperty("gn-batch-sharpness").GetProperty("value").GetDouble();
        Assert.Equal(gaussNewtonSharpness, gm.GetProperty("gn-batch-sharpness").GetProperty("value").GetDouble(), 1e-10 * Math.Abs(gaussNewtonSharpness));

        // float32 on the device against float32 on the CPU
        var cpu32 = CliRunner.Run([.. Args(f, "lambda-max", "--seed", "3"), "--dtype", "f32"]);
        var gpu32 = CliRunner.RunWithEnvironment(new() { ["SHARPEDGE_CUDA_EMULATION"] = "1" }, [.. Args(f, "lambda-max", "--seed", "3"), "--device", "cuda", "--dtype", "f32"]);
        Assert.True(gpu32.ExitCode == 0, gpu32.Stderr);
        using var c32 = JsonDocument.Parse(cpu32.Stdout);
        using var g32 = JsonDocument.Parse(gpu32.Stdout);
        double expected32 = c32.RootElement.GetProperty("measurements").GetProperty("lambda-max").GetProperty("value").GetDouble();
        Assert.Equal(expected32, g32.RootElement.GetProperty("measurements").GetProperty("lambda-max").GetProperty("value").GetDouble(), 1e-4 * Math.Abs(expected32));

        var conv = CliRunner.RunWithEnvironment(new() { ["SHARPEDGE_CUDA_EMULATION"] = "1" },
            ["measure", "--model", "cnn", "--params", f.Params, "--inputs", f.X, "--targets", f.Y, "--loss", "mse", "--measure", "lambda-max", "--device", "cuda"]);
        Assert.NotEqual(0, conv.ExitCode);

        // nothing the GPU runs: no device engine is built, and the log says so
        var cpuOnly = CliRunner.RunWithEnvironment(new() { ["SHARPEDGE_CUDA_EMULATION"] = "1" }, [.. Args(f, "gni", extra), "--device", "cuda"]);
        Assert.True(cpuOnly.ExitCode == 0, cpuOnly.Stderr);
        Assert.Contains("none of these measurements runs on ILGPU CPU accelerator", cpuOnly.Stderr);
    }

    [Fact]
    public void Json_has_one_entry_per_measurement_with_null_se_for_exact_values()
    {
        var f = Write();
        var r = CliRunner.Run(Args(f, "lambda-max,top-k=3,batch-sharpness,trace", "--batch", "4", "--seed", "3"));
        Assert.True(r.ExitCode == 0, r.Stderr);
        using var doc = JsonDocument.Parse(r.Stdout);
        var m = doc.RootElement.GetProperty("measurements");
        Assert.Equal(["lambda-max", "top-k", "batch-sharpness", "trace"], m.EnumerateObject().Select(p => p.Name));

        var lambda = m.GetProperty("lambda-max");
        Assert.Equal(JsonValueKind.Null, lambda.GetProperty("se").ValueKind);
        Assert.True(lambda.GetProperty("hvps").GetInt32() > 0);
        Assert.True(lambda.GetProperty("seconds").GetDouble() >= 0);
        Assert.Equal(1, lambda.GetProperty("samples").GetInt32());

        var top = m.GetProperty("top-k");
        var values = top.GetProperty("value").EnumerateArray().Select(v => v.GetDouble()).ToArray();
        Assert.Equal(3, values.Length);
        Assert.True(values[0] >= values[1] && values[1] >= values[2]);
        Assert.Equal(lambda.GetProperty("value").GetDouble(), values[0], 1e-10);
        Assert.Equal(JsonValueKind.Null, top.GetProperty("se").ValueKind);

        // Monte-Carlo estimates always carry a standard error, even on tiny data
        foreach (var name in new[] { "batch-sharpness", "trace" })
        {
            var e = m.GetProperty(name);
            Assert.Equal(JsonValueKind.Number, e.GetProperty("se").ValueKind);
            Assert.True(e.GetProperty("samples").GetInt32() >= 20);
        }

        // λ_max is the engine's: the top eigenvalue of the dense Hessian of the same weights and data
        var network = ModelSpec.Parse(Spec).Build<double>([6], Classes);
        var objective = new Objective<double>(network, new MeanSquaredError<double>(), new Samples<double>(f.Inputs, [6], f.Targets, Classes, null));
        objective.Linearize(f.Theta, new double[f.Theta.Length]);
        var dense = new DenseEigen { Count = 3 }.Solve(new HessianOperator<double>(objective));
        for (int i = 0; i < 3; i++) Assert.Equal(dense.Values[i], values[i], 1e-9 * Math.Abs(dense.Values[0]));
    }

    [Fact]
    public void A_curvature_subset_measures_lambda_max_of_the_samples_the_seed_draws()
    {
        var f = Write();
        var r = CliRunner.Run(Args(f, "lambda-max", "--curvature-subset", "10", "--seed", "3"));
        Assert.True(r.ExitCode == 0, r.Stderr);
        Assert.Contains("curvature on 10 of them", r.Stderr);
        using var doc = JsonDocument.Parse(r.Stdout);
        var value = doc.RootElement.GetProperty("measurements").GetProperty("lambda-max").GetProperty("value").GetDouble();

        var network = ModelSpec.Parse(Spec).Build<double>([6], Classes);
        var all = new Objective<double>(network, new MeanSquaredError<double>(), new Samples<double>(f.Inputs, [6], f.Targets, Classes, null));
        var indices = new SharpEdge.Curvature.Measurements.MeasurementContext<double>(all, f.Theta) { Seed = 3, CurvatureSubset = 10 }.CurvatureIndices.ToArray();
        var subset = new Objective<double>(network, new MeanSquaredError<double>(), all.Data.Gather(indices));
        subset.Linearize(f.Theta, new double[f.Theta.Length]);
        var dense = new DenseEigen { Count = 1 }.Solve(new HessianOperator<double>(subset)).Values[0];
        Assert.Equal(dense, value, 1e-9 * Math.Abs(dense));

        var tooMany = CliRunner.Run(Args(f, "lambda-max", "--curvature-subset", "30"));
        Assert.NotEqual(0, tooMany.ExitCode);
        Assert.Contains("--curvature-subset 30 exceeds the 24 samples", tooMany.Stderr);
    }

    [Fact]
    public void The_same_seed_gives_the_same_estimates_and_another_seed_others()
    {
        var f = Write();
        string Values(string seed, string threads)
        {
            var r = CliRunner.Run(Args(f, "batch-sharpness,gradient-norm-squared", "--batch", "3", "--seed", seed, "--threads", threads));
            Assert.True(r.ExitCode == 0, r.Stderr);
            using var doc = JsonDocument.Parse(r.Stdout);
            return string.Join(";", doc.RootElement.GetProperty("measurements").EnumerateObject()
                .Select(p => p.Value.GetProperty("value").GetRawText() + "±" + p.Value.GetProperty("se").GetRawText()));
        }
        var first = Values("11", "1");
        Assert.Equal(first, Values("11", "2"));
        Assert.NotEqual(first, Values("12", "1"));
    }

    [Fact]
    public void Float32_parameter_distance_and_step_measurements_run()
    {
        var f = Write();
        var network = ModelSpec.Parse(Spec).Build<double>([6], Classes);
        var initial = f.Theta.Select(t => t - 0.5).ToArray();
        var init = Path.Combine(f.Dir, "P0.safetensors");
        WriteParameters(init, network, initial);
        var r = CliRunner.Run(Args(f, "parameter-distance,step-sharpness,one-step-loss-change", "--batch", "4", "--lr", "0.05", "--init-params", init, "--dtype", "f32"));
        Assert.True(r.ExitCode == 0, r.Stderr);
        using var doc = JsonDocument.Parse(r.Stdout);
        var m = doc.RootElement.GetProperty("measurements");
        Assert.Equal(0.5 * Math.Sqrt(f.Theta.Length), m.GetProperty("parameter-distance").GetProperty("value").GetDouble(), 1e-5);
        Assert.Equal(JsonValueKind.Null, m.GetProperty("step-sharpness").GetProperty("se").ValueKind);
        Assert.Equal(JsonValueKind.Number, m.GetProperty("one-step-loss-change").GetProperty("se").ValueKind);
        Assert.Equal("f32", doc.RootElement.GetProperty("dtype").GetString());
    }

    [Theory]
    [InlineData("unknown measurement 'sharpness'", "sharpness")]
    [InlineData("did you mean 'lambda-max'", "lambda_max")]
    [InlineData("batch-sharpness needs --batch", "batch-sharpness")]
    [InlineData("one-step-loss-change needs --lr and --batch", "one-step-loss-change")]
    [InlineData("parameter-distance needs --init-params", "parameter-distance")]
    [InlineData("lambda-max takes no argument", "lambda-max=2")]
    public void Errors_are_one_line_and_name_what_is_missing(string message, string measure)
    {
        var f = Write();
        var r = CliRunner.Run(Args(f, measure));
        Assert.NotEqual(0, r.ExitCode);
        Assert.Equal("", r.Stdout);
        var lines = r.Stderr.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Single(lines);
        Assert.StartsWith("sharpedge: error:", lines[0]);
        Assert.Contains(message, lines[0]);
        if (message.StartsWith("unknown")) Assert.Contains("known: batch-lambda-max, batch-sharpness", lines[0]);
    }

    [Fact]
    public void A_momentum_buffer_of_the_wrong_length_is_named()
    {
        var f = Write();
        var v = Path.Combine(f.Dir, "V.npy");
        Npy.Write(v, new double[7], 7);
        var r = CliRunner.Run(Args(f, "momentum-batch-sharpness", "--batch", "4", "--momentum-buffer", v, "--momentum", "0.9"));
        Assert.NotEqual(0, r.ExitCode);
        Assert.Contains("V.npy", r.Stderr);
        Assert.Contains("7 values", r.Stderr);
    }

    [Fact]
    public void Per_layer_reports_every_tensor_with_the_eigenvalues_and_trace_of_its_dense_hessian_block()
    {
        var f = Write();
        var r = CliRunner.Run(Args(f, "lambda-max,top-k=2,trace,gradient-norm-squared", "--batch", "4", "--seed", "2", "--per-layer",
            "--max-samples", "25"));
        Assert.True(r.ExitCode == 0, r.Stderr);
        using var doc = JsonDocument.Parse(r.Stdout);
        Assert.Equal(["lambda-max", "top-k", "trace", "gradient-norm-squared"],
            doc.RootElement.GetProperty("measurements").EnumerateObject().Select(p => p.Name));

        var network = ModelSpec.Parse(Spec).Build<double>([6], Classes);
        var objective = new Objective<double>(network, new MeanSquaredError<double>(), new Samples<double>(f.Inputs, [6], f.Targets, Classes, null));
        objective.Linearize(f.Theta, new double[f.Theta.Length]);
        int p = f.Theta.Length;
        var hessian = LinearOperator.ToDense(new HessianOperator<double>(objective));
        var layers = doc.RootElement.GetProperty("per_layer");
        Assert.Equal(["layers.0.weight", "layers.0.bias", "layers.1.weight", "layers.1.bias"], layers.EnumerateObject().Select(l => l.Name));
        foreach (var tensor in network.Layout.Tensors)
        {
            var layer = layers.GetProperty(tensor.Name);
            Assert.Equal(["lambda-max", "top-k", "trace"], layer.EnumerateObject().Select(m => m.Name)); // gradient-norm-squared is global only
            var block = new double[tensor.Count * tensor.Count];
            double trace = 0;
            for (int i = 0; i < tensor.Count; i++)
            {
                for (int j = 0; j < tensor.Count; j++) block[i * tensor.Count + j] = hessian[(tensor.Offset + i) * p + tensor.Offset + j];
                trace += block[i * tensor.Count + i];
            }
            var expected = new DenseEigen { Count = 2 }.Solve(new DenseOperator(block, tensor.Count)).Values;
            var scale = Math.Abs(expected[0]);
            Assert.Equal(expected[0], layer.GetProperty("lambda-max").GetProperty("value").GetDouble(), 1e-9 * scale);
            Assert.Equal(JsonValueKind.Null, layer.GetProperty("lambda-max").GetProperty("se").ValueKind);
            var top = layer.GetProperty("top-k").GetProperty("value").EnumerateArray().Select(v => v.GetDouble()).ToArray();
            Assert.Equal(2, top.Length);
            for (int i = 0; i < 2; i++) Assert.Equal(expected[i], top[i], 1e-9 * scale);

            var t = layer.GetProperty("trace");
            if (tensor.Count <= 25) Assert.Equal(trace, t.GetProperty("value").GetDouble(), 1e-9 * Math.Abs(trace)); // exact up to the probe cap
            else
            {
                var se = t.GetProperty("se").GetDouble();
                Assert.True(Math.Abs(t.GetProperty("value").GetDouble() - trace) < 4 * se, $"{tensor.Name}: trace {t} vs {trace:R}");
            }
        }
    }

    [Fact]
    public void Vectors_out_is_the_top_eigenvector_and_warm_starts_a_cheaper_solve()
    {
        var f = Write();
        var vectors = Path.Combine(f.Dir, "V.npy");
        var cold = CliRunner.Run(Args(f, "lambda-max", "--method", "lanczos", "--tol", "1e-10", "--vectors-out", vectors));
        Assert.True(cold.ExitCode == 0, cold.Stderr);
        var v = Npy.Read(vectors);
        Assert.Equal([1, f.Theta.Length], v.Shape);
        // H v = λ v with the engine's exact H·v
        var network = ModelSpec.Parse(Spec).Build<double>([6], Classes);
        var objective = new Objective<double>(network, Loss<double>.FromName("mse"), new Samples<double>(f.Inputs, [6], f.Targets, Classes, null));
        var hv = new double[f.Theta.Length];
        objective.Linearize(f.Theta, new double[f.Theta.Length]);
        objective.HessianVectorProduct(v.AsFloat64(), hv);
        using var coldDoc = JsonDocument.Parse(cold.Stdout);
        var lambda = coldDoc.RootElement.GetProperty("measurements").GetProperty("lambda-max");
        var value = lambda.GetProperty("value").GetDouble();
        var x = v.AsFloat64();
        Assert.Equal(1.0, Math.Sqrt(x.Sum(e => e * e)), 1e-12);
        Assert.True(hv.Select((h, i) => Math.Abs(h - value * x[i])).Max() < 1e-7 * Math.Abs(value));

        var warm = CliRunner.Run(Args(f, "lambda-max", "--method", "lanczos", "--tol", "1e-10", "--warm-start", vectors));
        Assert.True(warm.ExitCode == 0, warm.Stderr);
        using var warmDoc = JsonDocument.Parse(warm.Stdout);
        var warmLambda = warmDoc.RootElement.GetProperty("measurements").GetProperty("lambda-max");
        Assert.Equal(value, warmLambda.GetProperty("value").GetDouble(), 1e-9 * Math.Abs(value));
        Assert.True(warmLambda.GetProperty("hvps").GetInt32() < lambda.GetProperty("hvps").GetInt32(),
            $"warm {warmLambda.GetProperty("hvps")} HVPs, cold {lambda.GetProperty("hvps")}");

        Npy.Write(Path.Combine(f.Dir, "short.npy"), new double[5], 5);
        var bad = CliRunner.Run(Args(f, "lambda-max", "--warm-start", Path.Combine(f.Dir, "short.npy")));
        Assert.NotEqual(0, bad.ExitCode);
        Assert.Contains($"[{f.Theta.Length}] or [k, {f.Theta.Length}]", bad.Stderr);
    }

    [Fact]
    public void Per_layer_without_a_measurement_that_has_a_per_layer_form_is_one_error_line()
    {
        var f = Write();
        var r = CliRunner.Run(Args(f, "batch-sharpness", "--batch", "4", "--per-layer"));
        Assert.NotEqual(0, r.ExitCode);
        Assert.Equal("", r.Stdout);
        var line = Assert.Single(r.Stderr.Split('\n', StringSplitOptions.RemoveEmptyEntries));
        Assert.Equal("sharpedge: error: --per-layer needs one of lambda-max, top-k, trace in --measure", line);
    }

    /// <summary>
    /// Runs bench/torch_measure_check.py: λ_max, top-5, GN and Fisher λ_max against PyTorch's dense Hessian and
    /// Jacobian (1e-6 relative), batch sharpness against exact enumeration (3 SE). Skipped without PyTorch.
    /// </summary>
    [SkippableFact]
    public void Measure_agrees_with_pytorch_dense_eigenvalues_and_enumerated_batch_sharpness()
    {
        Skip.IfNot(CliRunner.HasTorch(), "PyTorch/NumPy (python3-torch, python3-numpy) not installed");
        var script = Path.Combine(CliRunner.RepositoryRoot(), "bench", "torch_measure_check.py");
        var (code, output) = CliRunner.Python(script, "--sharpedge", CliRunner.CommandLine, "--quick");
        Assert.True(code == 0, output);
        Assert.Contains("measure agrees with PyTorch", output);
    }
}
