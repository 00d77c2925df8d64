using System.CommandLine;
using System.Diagnostics;
using System.Text.Json.Nodes;
using SharpEdge.Curvature.Measurements;
using SharpEdge.Data;
using SharpEdge.Nn;
using SharpEdge.Runs;
using SharpEdge.Training;

namespace SharpEdge.Cli.Commands;

/// <summary>
/// <c>train</c>: minibatch training with curvature measured on a schedule (eoss_spec §9), recorded in the run
/// store with an EoSS results.txt. This first slice has one cadence for all measurements; checkpoints, resume,
/// forks, noisy GD and the SDE baseline come next (issue 6).
/// </summary>
public static class TrainCommand
{
    public static Command Create()
    {
        var dataset = new Option<string>("--dataset") { Description = "data set (see `sharpedge data list`)", DefaultValueFactory = _ => "fmnist-mini" };
        var numData = new Option<int>("--num-data") { Description = "training samples (0 = all), chosen by the original's subset rule", DefaultValueFactory = _ => 0 };
        var datasetSeed = new Option<ulong>("--dataset-seed") { Description = "seed of the subset choice", DefaultValueFactory = _ => 888 };
        var model = new Option<string>("--model") { Description = "model preset or spec", DefaultValueFactory = _ => "mlp" };
        var initScale = new Option<double>("--init-scale") { Description = "multiplier of the initial weights (eoss_spec §3.4)", DefaultValueFactory = _ => 0.2 };
        var initSeed = new Option<ulong>("--init-seed") { Description = "seed of the initial weights", DefaultValueFactory = _ => 0 };
        var orderSeed = new Option<ulong>("--order-seed") { Description = "seed of the batch order (a function of seed and epoch)", DefaultValueFactory = _ => 0 };
        var loss = new Option<string>("--loss") { Description = "mse or ce", DefaultValueFactory = _ => "mse" }.AcceptOnlyFromAmong("mse", "ce");
        var optimizer = new Option<string>("--optimizer") { Description = "sgd, momentum, nesterov or adam", DefaultValueFactory = _ => "sgd" };
        var lr = new Option<double>("--lr") { Description = "learning rate η", Required = true };
        var momentum = new Option<double>("--momentum") { Description = "momentum μ (momentum, nesterov)", DefaultValueFactory = _ => 0 };
        var batch = new Option<int>("--batch") { Description = "batch size", DefaultValueFactory = _ => 8 };
        var steps = new Option<int>("--steps") { Description = "exactly this many SGD steps (the original overshoots to the end of the epoch)", Required = true };
        var measure = new Option<string>("--measure") { Description = "measurements, e.g. lambda-max,batch-sharpness (see `sharpedge measure --help`)", DefaultValueFactory = _ => "" };
        var every = new Option<int>("--measure-every") { Description = "steps between measurements (also at the first and last step)", DefaultValueFactory = _ => 100 };
        var stopLoss = new Option<double?>("--stop-loss") { Description = "stop once the mean training loss of the last epoch falls below this" };
        var name = new Option<string?>("--name") { Description = "run name (default: dataset_model_lr_batch)" };
        var results = new Option<string?>("--results") { Description = "run store folder (default $SHARPEDGE_RESULTS or ./results)" };
        var threads = CommonOptions.Threads();
        var json = CommonOptions.Json();
        var command = new Command("train", "Train with curvature measurements on a schedule; the run goes to the run store with a results.txt.")
        {
            dataset, numData, datasetSeed, model, initScale, initSeed, orderSeed, loss, optimizer, lr, momentum, batch, steps, measure, every,
            stopLoss, name, results, threads, json,
        };
        command.SetAction(parse => Run(new TrainSettings(parse.GetValue(dataset)!, parse.GetValue(numData), parse.GetValue(datasetSeed), parse.GetValue(model)!,
            parse.GetValue(initScale), parse.GetValue(initSeed), parse.GetValue(orderSeed), parse.GetValue(loss)!, parse.GetValue(optimizer)!, parse.GetValue(lr),
            parse.GetValue(momentum), parse.GetValue(batch), parse.GetValue(steps), parse.GetValue(measure)!, parse.GetValue(every), parse.GetValue(stopLoss),
            parse.GetValue(name), parse.GetValue(results)), parse.GetValue(json)));
        return command;
    }

    private sealed record TrainSettings(string Dataset, int NumData, ulong DatasetSeed, string Model, double InitScale, ulong InitSeed, ulong OrderSeed,
        string Loss, string Optimizer, double Lr, double Momentum, int Batch, int Steps, string Measure, int Every, double? StopLoss, string? Name, string? Results);

    private static void Run(TrainSettings s, bool json)
    {
        if (!(s.Lr > 0) || !double.IsFinite(s.Lr)) throw new ArgumentException($"--lr must be positive and finite, got {s.Lr}");
        if (s.Steps < 1) throw new ArgumentException($"--steps must be positive, got {s.Steps}");
        if (s.Every < 1) throw new ArgumentException($"--measure-every must be positive, got {s.Every}");
        var measurements = string.IsNullOrWhiteSpace(s.Measure) ? [] : MeasurementRegistry.Parse(s.Measure);
        var data = Datasets.Load(s.Dataset, new DataRequest { NumData = s.NumData, DatasetSeed = s.DatasetSeed });
        var train = data.Train<float>(s.Loss);
        var spec = ModelSpec.Parse(s.Model);
        var network = spec.Build<float>(data.InputShape, data.Outputs);
        var theta = new float[network.ParameterCount];
        spec.Initialize(network, theta, s.InitScale, s.InitSeed);
        var order = new BatchOrder(train.Count, s.Batch, s.OrderSeed);
        var update = Optimizer<float>.Create(s.Optimizer, network.ParameterCount, s.Lr, s.Momentum);
        var lossFunction = Loss<float>.FromName(s.Loss);
        var full = new Objective<float>(network, lossFunction, train);
        var batchSamples = train.CreateBuffer(s.Batch);
        var batchObjective = new Objective<float>(network, lossFunction, batchSamples);
        var gradient = new float[network.ParameterCount];
        var warmStart = new EigenvectorCache();

        using var store = RunStore.Open(s.Results);
        var runName = s.Name ?? $"{s.Dataset}_{s.Model}_lr{s.Lr}_b{s.Batch}";
        var config = new JsonObject
        {
            ["dataset"] = s.Dataset, ["num_data"] = train.Count, ["dataset_seed"] = s.DatasetSeed, ["model"] = s.Model, ["parameters"] = network.ParameterCount,
            ["init_scale"] = s.InitScale, ["init_seed"] = s.InitSeed, ["order_seed"] = s.OrderSeed, ["loss"] = s.Loss, ["optimizer"] = s.Optimizer,
            ["lr"] = s.Lr, ["momentum"] = s.Momentum, ["batch"] = s.Batch, ["steps"] = s.Steps, ["measure"] = s.Measure, ["measure_every"] = s.Every,
            ["stop_loss"] = s.StopLoss, ["dtype"] = "f32", ["threads"] = Numerics.Parallelism.Threads,
        };
        var runId = store.CreateRun(new RunRecord { Name = runName, Kind = "train", Status = RunStatus.Running, Config = config, CodeVersion = CodeVersion.Current });
        var folder = Path.Combine(ResultsFolder.Resolve(s.Results), "runs", runId.ToString());
        Directory.CreateDirectory(folder);
        store.SetFolder(runId, folder);
        CommandRunner.Log($"train: run {runId} '{runName}': {network.Description}, {network.ParameterCount:N0} parameters, {train.Count} samples of {s.Dataset}, " +
                          $"{s.Loss}, {update.Name} η={s.Lr} (2/η = {2 / s.Lr:G4}), batch {s.Batch}, {s.Steps} steps, measuring [{s.Measure}] every {s.Every}");

        var pending = new List<MetricRow>();
        var latest = new Dictionary<string, double>();
        var clock = Stopwatch.StartNew();
        var progress = new ProgressLine("train");
        var status = RunStatus.Finished;
        string? error = null;
        double epochLossSum = 0;
        int epochLossCount = 0, step = 0;
        try
        {
            for (; step <= s.Steps; step++)
            {
                var epoch = (double)step / order.StepsPerEpoch;
                if (measurements.Count > 0 && (step % s.Every == 0 || step == s.Steps))
                {
                    var context = new MeasurementContext<float>(full, theta)
                    {
                        LearningRate = s.Lr, BatchSize = s.Batch, Seed = (ulong)step * 7919 + s.OrderSeed, WarmStart = warmStart,
                        TrainingBatch = step < s.Steps ? order.Batch(step).ToArray() : null,
                    };
                    foreach (var m in measurements)
                        foreach (var (metric, estimate) in m.Measure(context).Metrics())
                        {
                            pending.Add(new MetricRow(step, epoch, metric, estimate.Value, estimate.StandardError, estimate.Samples));
                            latest[metric] = estimate.Value;
                        }
                    store.AppendMetrics(runId, pending);
                    pending.Clear();
                }
                if (step == s.Steps) break;
                train.GatherInto(order.Batch(step), batchSamples);
                var batchLoss = batchObjective.Linearize(theta, gradient);
                if (!double.IsFinite(batchLoss) || batchLoss > 1e12)
                {
                    status = RunStatus.Diverged;
                    error = $"loss {batchLoss} at step {step}";
                    pending.Add(new MetricRow(step, epoch, "loss", batchLoss));
                    break;
                }
                pending.Add(new MetricRow(step, epoch, "loss", batchLoss));
                epochLossSum += batchLoss;
                epochLossCount++;
                if ((step + 1) % order.StepsPerEpoch == 0)
                {
                    var epochLoss = epochLossSum / epochLossCount;
                    epochLossSum = 0;
                    epochLossCount = 0;
                    if (s.StopLoss is { } stop && epochLoss < stop)
                    {
                        update.Step(theta, gradient);
                        step++;
                        CommandRunner.Log($"train: mean epoch loss {epochLoss:G4} below --stop-loss {stop} after {step} steps");
                        break;
                    }
                }
                update.Step(theta, gradient);
                var measured = string.Join("  ", latest.Select(kv => $"{kv.Key} {kv.Value:G4}"));
                progress.Report((double)(step + 1) / s.Steps, TimeSpan.FromSeconds(clock.Elapsed.TotalSeconds / (step + 1) * (s.Steps - step - 1)),
                    $"step {step + 1}/{s.Steps}  loss {batchLoss:G4}  {measured}");
            }
        }
        catch (Exception e)
        {
            status = RunStatus.Failed;
            error = e.Message;
            throw;
        }
        finally
        {
            progress.Done();
            store.AppendMetrics(runId, pending);
            store.Finish(runId, status, clock.Elapsed.TotalSeconds, error);
            RunExport.ResultsTxt(store, runId, Path.Combine(folder, "results.txt"));
            ParameterFile.Write<float>(Path.Combine(folder, "final.safetensors"), network.Layout, theta);
        }
        CommandRunner.Log($"train: run {runId} {status.ToText()} after {step} steps in {clock.Elapsed.TotalSeconds:F1} s; {Path.Combine(folder, "results.txt")}");
        if (json)
            CommandRunner.WriteJson(new
            {
                run = runId, name = runName, status = status.ToText(), steps = step, seconds = clock.Elapsed.TotalSeconds, folder,
                last = latest, error,
            });
    }
}
