using System.CommandLine;
using System.Diagnostics;
using System.Numerics;
using SharpEdge.Nn;
using SharpEdge.Numerics;

namespace SharpEdge.Cli.Commands;

/// <summary><c>bench gemm</c> and <c>bench engine</c>: the speed figures the README quotes, measured on this machine.</summary>
public static class BenchCommands
{
    public static Command Create()
    {
        var command = new Command("bench", "Benchmarks (compare side by side with the reference scripts in bench/).");
        command.Subcommands.Add(GemmCommand());
        command.Subcommands.Add(EngineCommand());
        command.Subcommands.Add(MeasureBenchCommand.Create());
        command.Subcommands.Add(SweepBenchCommand.Create());
        command.Subcommands.Add(ServeBenchCommand.Create());
        command.Subcommands.Add(EnsembleBenchCommand.Create());
        command.Subcommands.Add(PtxBenchCommand.Create());
        return command;
    }

    private static Option<string> ThreadList() => new("--threads")
    {
        Description = "thread counts to measure, comma-separated",
        DefaultValueFactory = _ => "1,2",
    };

    internal static int[] ParseInts(string text, string what) =>
        text.Split(',', StringSplitOptions.RemoveEmptyEntries).Select(s => int.TryParse(s.Trim(), out var n) && n > 0 ? n
            : throw new ArgumentException($"{what}: '{s}' is not a positive integer")).ToArray();

    private static Command GemmCommand()
    {
        var sizes = new Option<string>("--sizes") { Description = "square sizes n, comma-separated", DefaultValueFactory = _ => "512,1024,2048" };
        var threads = ThreadList();
        var dtypes = new Option<string>("--dtypes") { Description = "f32, f64 or both", DefaultValueFactory = _ => "f32,f64" };
        var json = CommonOptions.Json();
        var command = new Command("gemm", "GFLOP/s of square GEMMs (C = A·B) for each size, dtype and thread count.") { sizes, threads, dtypes, json };
        command.SetAction(parse =>
        {
            var types = parse.GetValue(dtypes)!.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
            foreach (var t in types)
                if (t is not ("f32" or "f64")) throw new ArgumentException($"--dtypes: unknown dtype '{t}' (f32 or f64)");
            var results = GemmBench.Run(ParseInts(parse.GetValue(sizes)!, "--sizes"), ParseInts(parse.GetValue(threads)!, "--threads"),
                types, CommandRunner.Log);
            if (parse.GetValue(json))
                CommandRunner.WriteJson(new { gemm = results.Select(r => new { n = r.N, dtype = r.Dtype, threads = r.Threads, gflops = r.Gflops }) });
            else
                foreach (var r in results) Console.WriteLine($"n={r.N,5} {r.Dtype} threads={r.Threads}  {r.Gflops,7:F1} GFLOP/s");
        });
        return command;
    }

    private static Command EngineCommand()
    {
        var model = new Option<string>("--model") { Description = "model preset or spec", DefaultValueFactory = _ => "mlp" };
        var samples = new Option<string>("--samples") { Description = "sample counts, comma-separated", DefaultValueFactory = _ => "8192,8" };
        var threads = ThreadList();
        var dtypes = new Option<string>("--dtypes") { Description = "f32, f64 or both", DefaultValueFactory = _ => "f32" };
        var parameters = new Option<string?>("--params") { Description = "weights (.safetensors) instead of a random initialisation, e.g. the ones bench/engine_torch.py uses" };
        var inputs = new Option<string?>("--inputs") { Description = "inputs X.npy [N, 3, 32, 32] instead of random ones (N ≥ the largest sample count)" };
        var gradHvpOnly = new Option<bool>("--grad-hvp-only") { Description = "time only the gradient and the H·v (conv models: the other two take minutes)" };
        var device = new Option<string>("--device")
        {
            Description = "cuda: the GPU curvature engine (MLPs), vectors kept on the device as PyTorch's are, and in f64 its H·v checked against the CPU engine's",
            DefaultValueFactory = _ => "cpu",
        }.AcceptOnlyFromAmong("cpu", "cuda");
        var json = CommonOptions.Json();
        var command = new Command("engine", "Seconds per full gradient, per exact HVP and per quadratic form vᵀHv (cached forward/backward), and per batch-sharpness sample gᵀHg/gᵀg from scratch, on CIFAR-shaped inputs, MSE.")
        {
            model, samples, threads, dtypes, parameters, inputs, gradHvpOnly, device, json,
        };
        command.SetAction(parse =>
        {
            var rows = new List<EngineResult>();
            using var gpu = parse.GetValue(device) == "cuda" ? PhaseDevice.Open(Gpu.DeviceChoice.Cuda, "bench engine", offersAuto: false) : null;
            foreach (var dtype in parse.GetValue(dtypes)!.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
                foreach (var n in ParseInts(parse.GetValue(samples)!, "--samples"))
                    foreach (var t in ParseInts(parse.GetValue(threads)!, "--threads"))
                    {
                        var row = dtype switch
                        {
                            "f32" => Measure<float>(parse.GetValue(model)!, n, t, parse.GetValue(parameters), parse.GetValue(inputs), parse.GetValue(gradHvpOnly), gpu),
                            "f64" => Measure<double>(parse.GetValue(model)!, n, t, parse.GetValue(parameters), parse.GetValue(inputs), parse.GetValue(gradHvpOnly), gpu),
                            _ => throw new ArgumentException($"--dtypes: unknown dtype '{dtype}' (f32 or f64)"),
                        };
                        CommandRunner.Log($"{row.Model} samples={row.Samples} {row.Dtype} threads={row.Threads} on {row.Device}: grad {row.GradSeconds * 1e3:F2} ms, hvp {row.HvpSeconds * 1e3:F2} ms, vᵀHv {row.QuadraticFormSeconds * 1e3:F2} ms, gᵀHg/gᵀg sample {row.SharpnessSampleSeconds * 1e3:F2} ms" +
                                          (row.GaussNewtonSeconds is { } g ? $", G·v {g * 1e3:F2} ms" : "") +
                                          (row.HvpDifferenceFromCpu is { } d ? $", H·v relative difference from the CPU engine {d:G3}" : ""));
                        rows.Add(row);
                    }
            if (parse.GetValue(json)) CommandRunner.WriteJson(new { engine = rows });
            else
                foreach (var r in rows)
                    Console.WriteLine($"{r.Model} samples={r.Samples,5} {r.Dtype} threads={r.Threads}  grad {r.GradSeconds * 1e3,9:F2} ms  hvp {r.HvpSeconds * 1e3,9:F2} ms  hvp/grad {r.HvpSeconds / r.GradSeconds:F2}  vᵀHv {r.QuadraticFormSeconds * 1e3,9:F2} ms  sharpness sample {r.SharpnessSampleSeconds * 1e3,9:F2} ms");
        });
        return command;
    }

    public sealed record EngineResult(string Model, int Samples, string Dtype, int Threads, double GradSeconds, double HvpSeconds, double? QuadraticFormSeconds, double? SharpnessSampleSeconds)
    {
        /// <summary>"cpu", or the GPU in words (with its GEMM backend).</summary>
        public string Device { get; init; } = "cpu";

        /// <summary>On a GPU in float64: ‖H·v(GPU) − H·v(CPU)‖∞ / ‖H·v(CPU)‖∞ at the same θ and v.</summary>
        public double? HvpDifferenceFromCpu { get; init; }

        /// <summary>On a GPU: one Gauss-Newton product G·v at the same point (R-forward and one backward pass).</summary>
        public double? GaussNewtonSeconds { get; init; }
    }

    /// <summary>
    /// Median over repetitions of (a) forward + backward over all samples and (b) one exact H·v at the same
    /// point, reusing its forward and backward passes as an eigensolver does.
    /// </summary>
    private static EngineResult Measure<T>(string modelSpec, int samples, int threads, string? parametersPath, string? inputsPath, bool gradHvpOnly, Gpu.GpuDevice? gpu)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        var saved = Parallelism.Threads;
        Parallelism.Threads = threads;
        try
        {
            int[] inputShape = [3, 32, 32];
            const int classes = 10;
            var spec = ModelSpec.Parse(modelSpec);
            var network = spec.Build<T>(inputShape, classes);
            var rng = new Rng(1234);
            var x = new T[samples * network.InputSize];
            if (inputsPath is null)
                for (int i = 0; i < x.Length; i++) x[i] = T.CreateTruncating(rng.NextNormal());
            else
            {
                var given = Numerics.Io.Npy.Read(inputsPath).AsFloat64();
                if (given.Length < x.Length) throw new ArgumentException($"{inputsPath}: holds {given.Length / network.InputSize} samples, {samples} needed");
                for (int i = 0; i < x.Length; i++) x[i] = T.CreateTruncating(given[i]);
            }
            var y = new T[samples * classes];
            for (int i = 0; i < samples; i++) y[i * classes + rng.NextInt(classes)] = T.One;
            var data = new Samples<T>(x, inputShape, y, classes, null);
            var theta = new T[network.ParameterCount];
            if (parametersPath is null) spec.Initialize(network, theta, 1.0, 7);
            else ParameterFile.Read<T>(parametersPath, network, theta);
            var objective = new Objective<T>(network, new MeanSquaredError<T>(), data, chunkSize: 8192);
            if (gpu is not null) return MeasureOnDevice(gpu, modelSpec, network, objective, theta, rng, threads);
            var gradient = new T[network.ParameterCount];
            var v = new T[network.ParameterCount];
            for (int i = 0; i < v.Length; i++) v[i] = T.CreateTruncating(rng.NextNormal());
            var hv = new T[network.ParameterCount];
            var grad = Time(() => objective.Linearize(theta, gradient), samples);
            var hvp = Time(() => objective.HessianVectorProduct(v, hv), samples);
            var quadratic = gradHvpOnly ? (double?)null : Time(() => objective.QuadraticForm(v), samples);
            // one batch-sharpness sample from scratch: L_B, ‖g‖² and gᵀH_Bg at θ (Gram path for small MLP batches)
            var sample = gradHvpOnly ? (double?)null : Time(() => objective.CurvatureAlongGradient(theta), samples);
            return new EngineResult(modelSpec, samples, typeof(T) == typeof(float) ? "f32" : "f64", threads, grad, hvp, quadratic, sample);
        }
        finally
        {
            Parallelism.Threads = saved;
        }
    }

    private const int MaxSharpnessSampleBatch = 512;

    // The GPU engine: θ and v uploaded once, then the gradient and H·v timed with their results left on the device.
    private static EngineResult MeasureOnDevice<T>(Gpu.GpuDevice gpu, string modelSpec, Network<T> network, Objective<T> objective, T[] theta, Rng rng, int threads)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        using var engine = new Gpu.Curvature.DeviceMlp<T>(gpu, network, objective.Loss, objective.Data);
        var thetaDouble = theta.Select(double.CreateTruncating).ToArray();
        var v = new double[network.ParameterCount];
        rng.FillNormal(v);
        engine.SetParameters(thetaDouble);
        engine.SetDirection(v);
        int samples = objective.Data.Count;
        var grad = Time(() => engine.LinearizeOnDevice(), samples);
        var hvp = Time(engine.HessianVectorProductOnDevice, samples);
        var gaussNewton = Time(engine.GaussNewtonVectorProductOnDevice, samples);
        // One Monte-Carlo sample of batch sharpness as measure/train --device cuda take it: the batch's inputs uploaded,
        // g_B, H_B g_B and the two dot products on the device (batch-sized data only: a sample is a minibatch).
        double? sample = samples <= MaxSharpnessSampleBatch ? Time(() => engine.CurvatureAlongGradient(objective.Data), samples) : null;
        double? difference = null;
        if (typeof(T) == typeof(double))
        {
            var onDevice = new double[v.Length];
            engine.Linearize(thetaDouble, new double[v.Length]);
            engine.HessianVectorProduct(v, onDevice);
            var expected = new T[v.Length];
            objective.Linearize(theta, new T[v.Length]);
            objective.HessianVectorProduct(v.Select(T.CreateTruncating).ToArray(), expected);
            difference = VectorDifference.Relative(onDevice, (double[])(object)expected);
        }
        return new EngineResult(modelSpec, samples, typeof(T) == typeof(float) ? "f32" : "f64", threads, grad, hvp, null, sample)
        {
            Device = $"{gpu.Description}, GEMMs: {engine.GemmBackend}",
            HvpDifferenceFromCpu = difference,
            GaussNewtonSeconds = gaussNewton,
        };
    }

    private static double Time(Action action, int samples)
    {
        var warmup = Stopwatch.StartNew();
        action(); // warm-up (JIT, buffers)
        // about 3 s per quantity, at least 5 and at most 200 repetitions (conv nets take 10-100× an MLP's time)
        int reps = samples >= 4096 ? 5 : (int)Math.Clamp(3.0 / Math.Max(warmup.Elapsed.TotalSeconds, 1e-6), 5, 200);
        var times = new double[reps];
        for (int r = 0; r < reps; r++)
        {
            var clock = Stopwatch.StartNew();
            action();
            times[r] = clock.Elapsed.TotalSeconds;
        }
        Array.Sort(times);
        return times[reps / 2];
    }
}
