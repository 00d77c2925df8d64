using System.CommandLine;
using System.Diagnostics;
using SharpEdge.Curvature;
using SharpEdge.Data;
using SharpEdge.Nn;
using SharpEdge.Numerics;
using SharpEdge.Plots;
using SharpEdge.Runs;
using SharpEdge.Training;

namespace SharpEdge.Cli.Commands;

/// <summary>
/// <c>demo</c>: SGD on the Fashion-MNIST subset that ships with the repository, printing the training loss and
/// the full-batch λ_max (Lanczos on exact HVPs) against the stability threshold 2/η, and drawing them with the
/// training figure of <c>plot</c> (default <c>$SHARPEDGE_RESULTS/demo.png</c>).
/// </summary>
public static class DemoCommand
{
    public static Command Create()
    {
        var model = new Option<string>("--model") { Description = "model preset or spec", DefaultValueFactory = _ => "mlp" };
        var steps = new Option<int>("--steps") { Description = "SGD steps", DefaultValueFactory = _ => 600 };
        var lr = new Option<double>("--lr") { Description = "learning rate η", DefaultValueFactory = _ => 0.05 };
        var batch = new Option<int>("--batch") { Description = "batch size", DefaultValueFactory = _ => 32 };
        var initScale = new Option<double>("--init-scale") { Description = "multiplier of the initial weights", DefaultValueFactory = _ => 0.5 };
        var every = new Option<int>("--measure-every") { Description = "steps between λ_max measurements", DefaultValueFactory = _ => 150 };
        var samples = new Option<int>("--num-data") { Description = "training samples used (≤ 4096)", DefaultValueFactory = _ => 2048 };
        var seed = new Option<ulong>("--seed") { Description = "seed of the initial weights and batch order", DefaultValueFactory = _ => 1 };
        var output = new Option<string?>("--out") { Description = "figure file, .png or .svg (default: demo.png in $SHARPEDGE_RESULTS or ./results)" };
        var json = CommonOptions.Json();
        var threads = CommonOptions.Threads();
        var command = new Command("demo", "Train a small MLP on the shipped Fashion-MNIST subset and print loss and λ_max.")
        {
            model, steps, lr, batch, initScale, every, samples, seed, output, threads, json,
        };
        command.SetAction(parse => Run(parse.GetValue(model)!, parse.GetValue(steps), parse.GetValue(lr), parse.GetValue(batch),
            parse.GetValue(initScale), parse.GetValue(every), parse.GetValue(samples), parse.GetValue(seed), parse.GetValue(output), parse.GetValue(json)));
        return command;
    }

    private static void Run(string modelSpec, int steps, double lr, int batchSize, double initScale, int every, int numData, ulong seed, string? output, bool json)
    {
        var figurePath = Path.GetFullPath(output ?? Path.Combine(ResultsFolder.Resolve(), "demo.png"));
        if (Path.GetExtension(figurePath).ToLowerInvariant() is not (".png" or ".svg"))
            throw new ArgumentException($"--out must name a .png or .svg file, got '{Path.GetFileName(figurePath)}'");
        if (!(lr > 0) || !double.IsFinite(lr)) throw new ArgumentException($"--lr must be positive, got {lr}");
        if (steps < 1) throw new ArgumentException($"--steps must be positive, got {steps}");
        if (every < 1) throw new ArgumentException($"--measure-every must be positive, got {every}");
        var clock = Stopwatch.StartNew();
        var dataset = Datasets.Load("fmnist-mini");
        var train = dataset.Train<float>("mse", numData);
        if (batchSize < 1 || batchSize > train.Count) throw new ArgumentException($"--batch must be in [1, {train.Count}], got {batchSize}");
        var spec = ModelSpec.Parse(modelSpec);
        var network = spec.Build<float>(dataset.InputShape, dataset.Outputs);
        var theta = new float[network.ParameterCount];
        spec.Initialize(network, theta, initScale, seed);
        CommandRunner.Log($"demo: {network.Description}, {network.ParameterCount:N0} parameters, {train.Count} samples of {dataset.Name}, " +
                          $"MSE, SGD η={lr} (2/η = {2 / lr:G4}), batch {batchSize}, {steps} steps, {Parallelism.Threads} threads");

        var full = new Objective<float>(network, new MeanSquaredError<float>(), train);
        var hessian = new HessianOperator<float>(full);
        var gradient = new float[network.ParameterCount];
        var batchGradient = new float[network.ParameterCount];
        var batch = train.CreateBuffer(batchSize);
        var batchObjective = new Objective<float>(network, new MeanSquaredError<float>(), batch);
        var order = new BatchOrder(train.Count, batchSize, seed ^ 0x5eed);
        var sgd = new Sgd<float>(network.ParameterCount, lr);
        var records = new List<object>();
        var (measuredSteps, fullLosses, lambdas) = (new List<double>(), new List<double>(), new List<double>());
        var batchLosses = new double[steps];
        double[]? warmStart = null;
        for (int step = 0; step <= steps; step++)
        {
            if (step % every == 0 || step == steps)
            {
                var loss = full.Linearize(theta, gradient);
                var solve = new Lanczos { Tolerance = 1e-3, Seed = (ulong)step, ReturnVectors = true }.Solve(hessian, warmStart);
                warmStart = solve.Vectors![0];
                var lambda = solve.Values[0];
                CommandRunner.Log($"step {step,5}  loss {loss:F5}  λ_max {lambda,8:F3}  (2/η = {2 / lr:F3}, {solve.Products} HVPs, {solve.Seconds:F2} s)");
                records.Add(new { step, loss, lambda_max = lambda, hvps = solve.Products });
                measuredSteps.Add(step);
                fullLosses.Add(loss);
                lambdas.Add(lambda);
                if (!double.IsFinite(loss)) throw new InvalidOperationException($"training diverged at step {step} (loss {loss})");
            }
            if (step == steps) break;
            train.GatherInto(order.Batch(step), batch);
            batchLosses[step] = batchObjective.Linearize(theta, batchGradient);
            sgd.Step(theta, batchGradient);
        }
        var seconds = clock.Elapsed.TotalSeconds;
        var run = new RunCurves($"demo {modelSpec}", new Dictionary<string, MetricTrace>
        {
            ["loss"] = new(Enumerable.Range(0, steps).Select(s => (double)s).ToArray(), batchLosses),
            ["full_loss"] = new(measuredSteps, fullLosses),
            ["lambda_max"] = new(measuredSteps, lambdas),
        }) { LearningRate = lr, BatchSize = batchSize };
        TrainingFigure.Create([run]).Save(figurePath);
        CommandRunner.Log($"demo: done in {seconds:F1} s; figure {figurePath}");
        if (json) CommandRunner.WriteJson(new { model = modelSpec, lr, batch = batchSize, steps, seconds, figure = figurePath, measurements = records });
    }
}
