using System.CommandLine;
using System.Runtime.InteropServices;
using SharpEdge.Curvature.Measurements;
using SharpEdge.Runs;
using SharpEdge.Training;

namespace SharpEdge.Cli.Commands;

/// <summary>
/// <c>train</c>: minibatch training with curvature measured on per-measurement cadences (eoss_spec §8, §9),
/// recorded in the run store with checkpoints, a results.txt and the final weights in the run folder; resumes
/// a run bit-identically (<c>--resume</c>) or forks a child run from a checkpoint (<c>--fork --at-step</c>).
/// The loop and the run bookkeeping live in <see cref="TrainingRun"/>; this parses options.
/// </summary>
public static class TrainCommand
{
    private const string MeasureHelp =
        "measurements, each with an optional cadence after '@': N (every N steps), head (its HEAD rule, eoss_spec §8.1), or dense early " +
        "phases EVERY<UNTIL separated by '/' before either; e.g. 'lambda-max@1<128/4<256/256,batch-sharpness@10,step-sharpness' " +
        "(quote it when it holds '<'). Every measurement is also taken at the last step. Names: see `sharpedge measure --help`";

    public static Command Create()
    {
        var d = new TrainingConfig();
        var dataset = new Option<string>("--dataset") { Description = "data set (see `sharpedge data list`)", DefaultValueFactory = _ => d.Dataset };
        var numData = new Option<int>("--num-data") { Description = "training samples (0 = all), chosen by the original's subset rule", DefaultValueFactory = _ => d.NumData };
        var datasetSeed = new Option<ulong>("--dataset-seed") { Description = "seed of the subset choice", DefaultValueFactory = _ => d.DatasetSeed };
        var model = new Option<string>("--model") { Description = "model preset or spec", DefaultValueFactory = _ => d.Model };
        var initScale = new Option<double>("--init-scale") { Description = "multiplier of the initial weights (eoss_spec §3.4)", DefaultValueFactory = _ => d.InitScale };
        var initSeed = new Option<ulong>("--init-seed") { Description = "seed of the initial weights", DefaultValueFactory = _ => d.InitSeed };
        var orderSeed = new Option<ulong>("--order-seed") { Description = "seed of the batch order (a function of seed and epoch)", DefaultValueFactory = _ => d.OrderSeed };
        var loss = new Option<string>("--loss") { Description = "mse or ce", DefaultValueFactory = _ => d.Loss }.AcceptOnlyFromAmong("mse", "ce");
        var optimizer = new Option<string>("--optimizer") { Description = "sgd, momentum, nesterov or adam", DefaultValueFactory = _ => d.Optimizer };
        var lr = new Option<double>("--lr") { Description = "learning rate η (required for a new run)" };
        var momentum = new Option<double>("--momentum") { Description = "momentum μ (momentum, nesterov; 0 gives them 0.9)", DefaultValueFactory = _ => d.Momentum };
        var batch = new Option<int>("--batch") { Description = "batch size", DefaultValueFactory = _ => d.BatchSize };
        var steps = new Option<long>("--steps") { Description = "exactly this many SGD steps in all (required for a new run; with --resume, a new total)" };
        var measure = new Option<string>("--measure") { Description = MeasureHelp, DefaultValueFactory = _ => d.Measure };
        var every = new Option<int>("--measure-every") { Description = "cadence of measurements listed without '@': every N steps", DefaultValueFactory = _ => d.MeasureEvery };
        var curvatureSubset = new Option<int>("--curvature-subset") { Description = "full-data curvature measurements (λ_max, top-k, trace, GNI …) on N samples drawn without replacement, afresh at each measurement step from its seed (the original's λ_max used 4096); 0 = all samples", DefaultValueFactory = _ => d.CurvatureSubset };
        var eigTol = new Option<double?>("--eig-tol") { Description = "relative residual tolerance of the Hessian eigensolves of measurements (default 1e-4; the original's LOBPCG: 5e-3)" };
        var gdNoise = new Option<string?>("--gd-noise") { Description = "noisy GD: every step the full-data gradient plus Gaussian noise with the covariance of sgd (a batch-b minibatch gradient), diag (its diagonal), iso (its trace, isotropic) or const (I/b); none (for a fork of a noisy run) trains on minibatches" }
            .AcceptOnlyFromAmong("sgd", "diag", "iso", "const", "none");
        var noiseMag = new Option<double>("--noise-mag") { Description = "multiplier of the noise's standard deviation (noisy GD, SDE); for const noise its σ·√b", DefaultValueFactory = _ => d.NoiseMagnitude };
        var noiseRefresh = new Option<int>("--noise-refresh") { Description = "diag and iso noise: recompute the per-sample gradient variances every N steps (the original: 30)", DefaultValueFactory = _ => d.NoiseRefresh };
        var noiseSeed = new Option<ulong>("--noise-seed") { Description = "seed of the noise of noisy GD and the SDE", DefaultValueFactory = _ => d.NoiseSeed };
        var sde = new Option<bool>("--sde") { Description = "the SDE baseline: Euler–Maruyama of dθ = −∇L dt + √η (Σ/b)^½ dW over time η per step, θ set directly" };
        var sdeH = new Option<double>("--sde-h") { Description = "the SDE's sub-step h (a step takes ⌈η/h⌉ sub-steps)", DefaultValueFactory = _ => d.SdeH };
        var sdeEta = new Option<double?>("--sde-eta") { Description = "the SDE's η, time per step and diffusion scale (default --lr)" };
        var fullLossEvery = new Option<string>("--full-loss-every") { Description = "cadence of the full-data loss and accuracy (full_loss, full_accuracy): N, head (every 32, doubling after 10k and 50k) or early phases, e.g. '1<128/32'", DefaultValueFactory = _ => d.FullLossEvery };
        var quadSwitch = new Option<string?>("--quad-switch-step") { Description = "quadratic dynamics: from step s on, SGD on the second-order Taylor model of each batch loss around θ_s (exact H·v; plain SGD only); stores quadratic_loss; none (for a fork) trains on the loss" };
        var quadLr = new Option<double?>("--quad-switch-lr") { Description = "the step size on the Taylor model (default --lr)" };
        var quadGn = new Option<bool>("--quad-gauss-newton") { Description = "the Taylor model's curvature is the Gauss–Newton matrix (with MSE's factor 2) instead of the Hessian (the original's --use-gauss-newton)" };
        var quadLossEvery = new Option<string>("--quad-loss-every") { Description = "cadence of quadratic_loss, the model's full-data loss (one full-data curvature product each)", DefaultValueFactory = _ => d.QuadLossEvery };
        var projSwitch = new Option<string?>("--proj-switch-step") { Description = "projected SGD: from step s on, each update projected on the top-l eigenvectors of the full-data Hessian (plain SGD only; needs --proj-top-l); none (for a fork) stops projecting" };
        var projTopL = new Option<int>("--proj-top-l") { Description = "l, the number of top Hessian eigenvectors projected on" };
        var projResidual = new Option<bool>("--proj-to-residual") { Description = "keep the part of each update orthogonal to the top-l eigenspace instead" };
        var projRefresh = new Option<string>("--proj-refresh") { Description = "cadence at which the eigenvectors are solved again (default every step, as the original)", DefaultValueFactory = _ => d.ProjRefresh };
        var saveTrajectory = new Option<bool>("--save-trajectory") { Description = "record the sparse random projection Pθ (5000 rows) in trajectory/step_S.npy and its norm as trajectory_proj_norm (eoss_spec §7.17)" };
        var trajectoryEvery = new Option<string>("--trajectory-every") { Description = "cadence of the trajectory projection (implies --save-trajectory); head is the original's every 32 steps", DefaultValueFactory = _ => "32" };
        var final = new Option<bool>("--final") { Description = "at the last step also measure λ_max and batch sharpness with the full loss and accuracy, and write final.json (eoss_spec §7.18)" };
        var testEvery = new Option<string>("--test-every") { Description = "cadence of the test-split loss and accuracy (test_loss, test_accuracy): N or early phases, e.g. '1<64/500'", DefaultValueFactory = _ => d.TestEvery };
        var stopLoss = new Option<double?>("--stop-loss") { Description = "stop once the mean training loss of the last epoch falls below this" };
        var checkpointEvery = new Option<long>("--checkpoint-every") { Description = "a checkpoint every N steps (kept; fork points), besides the first and the last step", DefaultValueFactory = _ => d.CheckpointEvery };
        var checkpointMinutes = new Option<double>("--checkpoint-minutes") { Description = "also a checkpoint when this many minutes passed since the last (replaced by the next one; 0 = off)", DefaultValueFactory = _ => d.CheckpointMinutes };
        var keep = new Option<int>("--keep-checkpoints") { Description = "keep only the newest N step checkpoints (0 = all; the final one always stays)", DefaultValueFactory = _ => d.KeepCheckpoints };
        var resume = new Option<string?>("--resume") { Description = "continue run RUN (id or name) from its last checkpoint with its stored settings; only --steps may change" };
        var fork = new Option<string?>("--fork") { Description = "start a child run from run RUN's checkpoint at --at-step, with changed --lr, --batch, --optimizer, --momentum, measurements …" };
        var atStep = new Option<long?>("--at-step") { Description = "the parent's checkpoint step a --fork starts from" };
        var name = new Option<string?>("--name") { Description = "run name (default: dataset_model_lr_batch)" };
        var results = new Option<string?>("--results") { Description = "run store folder (default $SHARPEDGE_RESULTS or ./results)" };
        var device = new Option<string>("--device")
        {
            Description = $"cuda: for an MLP, the eigen-measurements of the Hessian and Gauss-Newton matrix ({EngineMeasurements.HessianEngineNames}) on all samples, and the Monte-Carlo batches of {EngineMeasurements.BatchEngineNames}, on the GPU (training steps stay on the CPU); cpu: everything on the CPU",
            DefaultValueFactory = _ => "cpu",
        }.AcceptOnlyFromAmong("cpu", "cuda");
        var threads = CommonOptions.Threads();
        var json = CommonOptions.Json();
        var command = new Command("train",
            "Train with curvature measurements on per-measurement cadences; the run goes to the run store with checkpoints, a results.txt and the final weights. " +
            "Ctrl-C or SIGTERM stops at the next step with a checkpoint; --resume continues a stopped or killed run bit for bit.")
        {
            dataset, numData, datasetSeed, model, initScale, initSeed, orderSeed, loss, optimizer, lr, momentum, batch, steps, measure, every, curvatureSubset, eigTol,
            gdNoise, noiseMag, noiseRefresh, noiseSeed, sde, sdeH, sdeEta, quadSwitch, quadLr, quadGn, quadLossEvery,
            projSwitch, projTopL, projResidual, projRefresh, saveTrajectory, trajectoryEvery, final, fullLossEvery, testEvery, stopLoss, checkpointEvery, checkpointMinutes, keep, resume, fork, atStep, name, results, device, threads, json,
        };
        Option[] runDefining = [dataset, numData, datasetSeed, model, initScale, initSeed];
        Option[] forkable = [orderSeed, loss, optimizer, lr, momentum, batch, measure, every, curvatureSubset, eigTol, gdNoise, noiseMag, noiseRefresh, noiseSeed, sde, sdeH, sdeEta,
            quadSwitch, quadLr, quadGn, quadLossEvery, projSwitch, projTopL, projResidual, projRefresh, saveTrajectory, trajectoryEvery, final,
            fullLossEvery, testEvery, stopLoss, checkpointEvery, checkpointMinutes, keep, name];

        command.SetAction(parse =>
        {
            bool Given(Option o) => parse.GetResult(o) is { Implicit: false };
            TrainingConfig Settings(TrainingConfig? inherited)
            {
                T Pick<T>(Option<T> o, T old) => inherited is null || Given(o) ? parse.GetValue(o)! : old;
                var b = inherited ?? d;
                var quadStep = Given(quadSwitch) ? SwitchStep(quadSwitch) : b.QuadSwitchStep;
                var projStep = Given(projSwitch) ? SwitchStep(projSwitch) : b.ProjSwitchStep;
                return new TrainingConfig
                {
                    Dataset = Pick(dataset, b.Dataset), NumData = Pick(numData, b.NumData), DatasetSeed = Pick(datasetSeed, b.DatasetSeed),
                    Model = Pick(model, b.Model), InitScale = Pick(initScale, b.InitScale), InitSeed = Pick(initSeed, b.InitSeed),
                    OrderSeed = Pick(orderSeed, b.OrderSeed), Loss = Pick(loss, b.Loss), Optimizer = Pick(optimizer, b.Optimizer),
                    LearningRate = Pick(lr, b.LearningRate), Momentum = Pick(momentum, b.Momentum), BatchSize = Pick(batch, b.BatchSize),
                    Steps = Pick(steps, b.Steps), Measure = Pick(measure, b.Measure), MeasureEvery = Pick(every, b.MeasureEvery),
                    CurvatureSubset = Pick(curvatureSubset, b.CurvatureSubset), EigenTolerance = Pick(eigTol, b.EigenTolerance),
                    StopLoss = Pick(stopLoss, b.StopLoss), CheckpointEvery = Pick(checkpointEvery, b.CheckpointEvery),
                    CheckpointMinutes = Pick(checkpointMinutes, b.CheckpointMinutes), KeepCheckpoints = Pick(keep, b.KeepCheckpoints),
                    GdNoise = Pick(gdNoise, b.GdNoise) is { } noiseModel and not "none" ? noiseModel : null, NoiseMagnitude = Pick(noiseMag, b.NoiseMagnitude), NoiseRefresh = Pick(noiseRefresh, b.NoiseRefresh),
                    NoiseSeed = Pick(noiseSeed, b.NoiseSeed), Sde = Pick(sde, b.Sde), SdeH = Pick(sdeH, b.SdeH), SdeEta = Pick(sdeEta, b.SdeEta),
                    FullLossEvery = Pick(fullLossEvery, b.FullLossEvery), TestEvery = Pick(testEvery, b.TestEvery),
                    // 'none' in a fork turns a mode off with the settings that only it uses
                    QuadSwitchStep = quadStep, QuadSwitchLr = quadStep is null && !Given(quadLr) ? null : Pick(quadLr, b.QuadSwitchLr),
                    QuadGaussNewton = quadStep is null && !Given(quadGn) ? false : Pick(quadGn, b.QuadGaussNewton),
                    QuadLossEvery = Pick(quadLossEvery, b.QuadLossEvery),
                    ProjSwitchStep = projStep, ProjTopL = projStep is null && !Given(projTopL) ? 0 : Pick(projTopL, b.ProjTopL),
                    ProjToResidual = projStep is null && !Given(projResidual) ? false : Pick(projResidual, b.ProjToResidual),
                    ProjRefresh = Pick(projRefresh, b.ProjRefresh),
                    TrajectoryEvery = Given(trajectoryEvery) ? parse.GetValue(trajectoryEvery)! : Given(saveTrajectory) ? (parse.GetValue(saveTrajectory) ? parse.GetValue(trajectoryEvery)! : "") : b.TrajectoryEvery,
                    Final = Pick(final, b.Final),
                };
            }

            long? SwitchStep(Option<string?> option)
            {
                var text = parse.GetValue(option);
                if (text == "none") return null;
                return long.TryParse(text, System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var step) ? step
                    : throw new ArgumentException($"{option.Name} takes a step ≥ 0 or none, got '{text}'");
            }

            var resumeRun = parse.GetValue(resume);
            var forkRun = parse.GetValue(fork);
            if (resumeRun is not null && forkRun is not null) throw new ArgumentException("--resume and --fork exclude each other");
            if (Given(atStep) && forkRun is null) throw new ArgumentException("--at-step goes with --fork (resume always starts from the last checkpoint)");
            var resultsFolder = parse.GetValue(results);
            using var store = RunStore.Open(resultsFolder);
            store.MarkInterrupted();
            using var cancel = new CancellationTokenSource();
            using var sigint = PosixSignalRegistration.Create(PosixSignal.SIGINT, c => Interrupt("train", c, cancel));
            using var sigterm = PosixSignalRegistration.Create(PosixSignal.SIGTERM, c => Interrupt("train", c, cancel));
            var progress = new ProgressLine("train");
            using var gpu = parse.GetValue(device) == "cuda" ? PhaseDevice.Open(Gpu.DeviceChoice.Cuda, "train", offersAuto: false) : null;
            var hooks = new TrainingHooks(p => Report(progress, p), CommandRunner.Log, cancel.Token)
            {
                HessianEngine = gpu is null ? null : objective =>
                {
                    var engine = new Gpu.Curvature.DeviceMlp<float>(gpu, objective.Network, objective.Loss, objective.Data);
                    CommandRunner.Log($"train: the eigen-measurements ({EngineMeasurements.HessianEngineNames}) on {gpu.Description} (GEMMs: {engine.GemmBackend})");
                    return engine;
                },
                BatchEngine = gpu is null ? null : (objective, batch) =>
                {
                    var engine = new Gpu.Curvature.DeviceMlp<float>(gpu, objective.Network, objective.Loss, objective.Data.CreateBuffer(batch));
                    string which = EngineMeasurements.CpuHasGramPath(objective.Network, batch) ? "gn-batch-sharpness" : "batch sharpness";
                    CommandRunner.Log($"train: {which} on {gpu.Description} (GEMMs: {engine.GemmBackend})");
                    return engine;
                },
            };
            TrainingResult result;
            try
            {
                if (resumeRun is not null)
                {
                    var extra = command.Options.Where(o => Given(o) && o != resume && o != steps && o != results && o != device && o != threads && o != json).Select(o => o.Name).ToList();
                    if (extra.Count > 0)
                        throw new ArgumentException($"--resume continues run '{resumeRun}' with its stored settings, so {string.Join(", ", extra)} cannot be given " +
                                                    $"(only --steps; to change settings fork it: --fork {resumeRun} --at-step S)");
                    result = TrainingRun.Resume(store, resumeRun, Given(steps) ? parse.GetValue(steps) : null, hooks);
                }
                else if (forkRun is not null)
                {
                    var fixedOnes = runDefining.Where(Given).Select(o => o.Name).ToList();
                    if (fixedOnes.Count > 0)
                        throw new ArgumentException($"a fork starts from the parameters of run '{forkRun}', so {string.Join(", ", fixedOnes)} cannot change " +
                                                    $"(it may change {string.Join(", ", forkable.Select(o => o.Name))}, --steps)");
                    var at = parse.GetValue(atStep) ?? throw new ArgumentException($"--fork {forkRun} needs --at-step S, the parent's checkpoint step to start from");
                    var parent = store.FindRun(forkRun) ?? throw new ArgumentException($"no run '{forkRun}' in {store.DatabasePath} (see `sharpedge runs list`)");
                    var config = Settings(TrainingConfig.FromJson(parent.Config));
                    result = TrainingRun.Fork(store, resultsFolder, forkRun, at, config, parse.GetValue(name), hooks);
                }
                else
                {
                    if (!Given(lr)) throw new ArgumentException("--lr is required (the learning rate η)");
                    if (!Given(steps)) throw new ArgumentException("--steps is required (the number of SGD steps)");
                    result = TrainingRun.Start(store, resultsFolder, Settings(null), parse.GetValue(name), hooks);
                }
            }
            finally
            {
                progress.Done();
            }

            var outcome = result.Outcome;
            CommandRunner.Log($"train: run {result.RunId} {outcome.Status.ToText()} at step {outcome.Steps} after {outcome.Seconds:F1} s of training; {Path.Combine(result.Folder, "results.txt")}" +
                              (outcome.Status == RunStatus.Interrupted ? $"; continue with `sharpedge train --resume {result.RunId}`" : ""));
            if (parse.GetValue(json))
                CommandRunner.WriteJson(new
                {
                    run = result.RunId, name = result.Run.Name, status = outcome.Status.ToText(), steps = outcome.Steps, seconds = outcome.Seconds,
                    folder = result.Folder, parent = result.Run.ParentId, fork_step = result.Run.ForkStep, last = outcome.Latest, error = outcome.Error,
                    time = outcome.Time.Select(s => new { name = s.Name, calls = s.Calls, products = s.Products, first_products = s.FirstProducts, samples = s.Samples, seconds = s.Seconds }),
                });
            return outcome.Status == RunStatus.Interrupted ? 130 : 0;
        });
        return command;
    }

    /// <summary>
    /// The first Ctrl-C or SIGTERM stops at the next step with a checkpoint; a second one ends the process at once.
    /// Shared with <c>demo</c>, which trains through the same loop.
    /// </summary>
    internal static void Interrupt(string commandName, PosixSignalContext context, CancellationTokenSource cancel)
    {
        if (cancel.IsCancellationRequested) return;
        context.Cancel = true;
        CommandRunner.Log($"{commandName}: {context.Signal}: stopping at the next step with a checkpoint (again to quit at once)");
        cancel.Cancel();
    }

    /// <summary>The live progress line of a training run: step, loss, the latest λ_max and batch sharpness, speed.</summary>
    internal static void Report(ProgressLine line, TrainingProgress p)
    {
        var measured = string.Concat(new[] { "lambda_max", "batch_sharpness" }.Where(p.Latest.ContainsKey).Select(k => $"  {k} {p.Latest[k]:G4}"));
        line.Report((double)p.Step / p.Steps, p.Remaining, $"step {p.Step}/{p.Steps}  loss {p.Loss:G4}{measured}  {p.StepsPerSecond:F0} steps/s");
    }
}
