using System.CommandLine;
using System.Diagnostics;
using SharpEdge.Curvature;
using SharpEdge.Curvature.Measurements;
using SharpEdge.Data;
using SharpEdge.Nn;
using SharpEdge.Numerics;

namespace SharpEdge.Cli.Commands;

/// <summary>
/// <c>bench measure</c>: the cost of the EoSS measurements on the Fashion-MNIST <c>mlp</c> (784-512-512-10,
/// float32, MSE on one-hot targets): one batch-sharpness estimate of a fixed number of samples at batch b for
/// each thread count (the original takes 6.5 s for 1,000 samples at b = 8), and the full-data λ_max solve
/// (products, seconds, activations held) with the activation cache on and off.
/// </summary>
public static class MeasureBenchCommand
{
    /// <summary>The original's time for 1,000 batch-sharpness samples at b = 8 on this model (stack measurements).</summary>
    private const double OriginalSeconds = 6.5;

    public static Command Create()
    {
        var model = new Option<string>("--model") { Description = "model preset or spec", DefaultValueFactory = _ => "mlp" };
        var samples = new Option<int>("--num-data") { Description = "training samples (fmnist-mini's 4,096 images, repeated when more are asked for)", DefaultValueFactory = _ => 8192 };
        var batch = new Option<int>("--batch") { Description = "batch size b", DefaultValueFactory = _ => 8 };
        var estimates = new Option<int>("--samples") { Description = "batch-sharpness samples per estimate (fixed)", DefaultValueFactory = _ => 1000 };
        var threads = new Option<string>("--threads") { Description = "thread counts to measure, comma-separated", DefaultValueFactory = _ => "1,2" };
        var tol = new Option<double>("--tol") { Description = "relative residual tolerance of the λ_max solve", DefaultValueFactory = _ => 1e-4 };
        var skipSolve = new Option<bool>("--no-solve") { Description = "skip the λ_max solves" };
        var seed = new Option<ulong>("--seed") { Description = "seed of the initial weights and of the batches", DefaultValueFactory = _ => 1 };
        var json = CommonOptions.Json();
        var command = new Command("measure", "Time one batch-sharpness estimate (1,000 samples at b = 8 by default) per thread count and the full-data λ_max solve on the Fashion-MNIST mlp, float32.")
        {
            model, samples, batch, estimates, threads, tol, skipSolve, seed, json,
        };
        command.SetAction(parse =>
        {
            var counts = parse.GetValue(threads)!.Split(',', StringSplitOptions.RemoveEmptyEntries).Select(s => int.TryParse(s.Trim(), out var t) && t > 0 ? t
                : throw new ArgumentException($"--threads: '{s}' is not a positive integer")).ToArray();
            var document = Run(parse.GetValue(model)!, parse.GetValue(samples), parse.GetValue(batch), parse.GetValue(estimates), counts,
                parse.GetValue(tol), !parse.GetValue(skipSolve), parse.GetValue(seed));
            if (parse.GetValue(json)) CommandRunner.WriteJson(document);
        });
        return command;
    }

    private static object Run(string modelSpec, int count, int batch, int estimates, int[] threadCounts, double tolerance, bool solve, ulong seed)
    {
        if (count < 1) throw new ArgumentException($"--num-data must be positive, got {count}");
        if (estimates < 2) throw new ArgumentException($"--samples must be at least 2, got {estimates}");
        var dataset = Datasets.Load("fmnist-mini");
        var data = Repeat(dataset.Train<float>("mse"), count);
        if (batch < 1 || batch > data.Count) throw new ArgumentException($"--batch must be in [1, {data.Count}], got {batch}");
        var spec = ModelSpec.Parse(modelSpec);
        var network = spec.Build<float>(dataset.InputShape, dataset.Classes);
        var theta = new float[network.ParameterCount];
        spec.Initialize(network, theta, 1.0, seed);
        CommandRunner.Log($"bench measure: {network.Description}, {network.ParameterCount:N0} parameters, {data.Count} samples of {dataset.Name}" +
                          $"{(count > dataset.TrainCount ? $" ({dataset.TrainCount} images repeated)" : "")}, float32, MSE");

        var saved = Parallelism.Threads;
        var sharpness = new List<object>();
        try
        {
            foreach (var threads in threadCounts)
            {
                Parallelism.Threads = threads;
                var objective = new Objective<float>(network, new MeanSquaredError<float>(), data);
                MeasurementContext<float> Context(int samples) => new(objective, theta)
                {
                    BatchSize = batch, Seed = seed, Threads = threads, MonteCarlo = MonteCarloSettings.Fixed(samples),
                };
                new BatchSharpness().Measure(Context(Math.Min(estimates, 64)));   // warm-up: JIT, buffers, thread pool
                var context = Context(estimates);
                var clock = Stopwatch.StartNew();
                var estimate = new BatchSharpness().Measure(context).Value;
                var seconds = clock.Elapsed.TotalSeconds;
                var speedup = OriginalSeconds / (seconds * 1000 / estimate.Samples);
                CommandRunner.Log($"batch sharpness, {estimate.Samples} samples at b = {batch}, {threads} thread(s): {estimate.Value:G5} ± {estimate.StandardError:G3} " +
                                  $"in {seconds:F3} s ({seconds / estimate.Samples * 1e3:F3} ms per sample; {speedup:F1}× faster than the original's {OriginalSeconds} s per 1,000)");
                sharpness.Add(new
                {
                    threads, batch, samples = estimate.Samples, value = estimate.Value, se = estimate.StandardError, seconds,
                    ms_per_sample = seconds / estimate.Samples * 1e3, speedup_vs_original = speedup,
                });
            }
        }
        finally
        {
            Parallelism.Threads = saved;
        }

        var solves = new List<object>();
        if (solve)
            foreach (var cacheBytes in new[] { 2L << 30, 0L })
            {
                var objective = new Objective<float>(network, new MeanSquaredError<float>(), data, cacheBudgetBytes: cacheBytes);
                var context = new MeasurementContext<float>(objective, theta) { Seed = seed, Tolerance = tolerance, Method = EigenMethod.Lanczos };
                var result = new LambdaMax().Measure(context);
                var mode = cacheBytes > 0 ? "cached" : "streamed";
                CommandRunner.Log($"λ_max over {data.Count} samples ({mode}, {objective.ChunkCount} chunks of {objective.ChunkSize}): {result.Value.Value:G6}, " +
                                  $"{result.Value.Products} HVPs, {result.Value.Seconds:F2} s + {context.LinearizationSeconds:F2} s linearization, " +
                                  $"{objective.HeldBytes / 1048576.0:F0} MiB of activations held, converged {result.Details["converged"]}");
                solves.Add(new
                {
                    mode, samples = data.Count, chunks = objective.ChunkCount, chunk_size = objective.ChunkSize, lambda_max = result.Value.Value,
                    hvps = result.Value.Products, seconds = result.Value.Seconds, linearization_seconds = context.LinearizationSeconds,
                    held_activation_bytes = objective.HeldBytes, converged = result.Details["converged"], threads = Parallelism.Threads,
                });
                if (cacheBytes == 0) continue;
                // warm start, as during training: one stable full-batch gradient step later (η = 1/λ_max), from the previous eigenvector
                var moved = theta.ToArray();
                var eta = (float)(1.0 / result.Value.Value);
                System.Numerics.Tensors.TensorPrimitives.MultiplyAdd(context.Gradient, -eta, moved, moved);
                var warmContext = new MeasurementContext<float>(objective, moved) { Seed = seed, Tolerance = tolerance, Method = EigenMethod.Lanczos, WarmStart = context.WarmStart };
                var warm = new LambdaMax().Measure(warmContext);
                CommandRunner.Log($"λ_max warm-started after one gradient step (η = 1/λ_max = {eta:G3}): {warm.Value.Value:G6}, {warm.Value.Products} HVPs, " +
                                  $"{warm.Value.Seconds:F2} s + {warmContext.LinearizationSeconds:F2} s linearization");
                solves.Add(new
                {
                    mode = "cached, warm", samples = data.Count, chunks = objective.ChunkCount, chunk_size = objective.ChunkSize, lambda_max = warm.Value.Value,
                    hvps = warm.Value.Products, seconds = warm.Value.Seconds, linearization_seconds = warmContext.LinearizationSeconds,
                    held_activation_bytes = objective.HeldBytes, converged = warm.Details["converged"], threads = Parallelism.Threads,
                });
            }
        return new
        {
            model = modelSpec, parameters = network.ParameterCount, samples = data.Count, dtype = "f32", batch_sharpness = sharpness, lambda_max = solves,
            peak_working_set_bytes = Process.GetCurrentProcess().PeakWorkingSet64,
        };
    }

    /// <summary>The first <paramref name="count"/> samples of the data repeated cyclically (the Hessian of a repeated set is the same).</summary>
    private static Samples<float> Repeat(Samples<float> data, int count)
    {
        if (count == data.Count) return data;
        return data.Gather(Enumerable.Range(0, count).Select(i => i % data.Count).ToArray());
    }
}
