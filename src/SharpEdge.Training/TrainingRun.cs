using SharpEdge.Curvature;
using SharpEdge.Curvature.Measurements;
using SharpEdge.Nn;
using SharpEdge.Numerics;
using SharpEdge.Runs;

namespace SharpEdge.Training;

/// <summary>
/// A training run in the run store (eoss_spec §11): started fresh, resumed from its last checkpoint under the
/// same id, or forked from a checkpoint of another run into a child run. Each records the run, trains with a
/// <see cref="Trainer"/>, then stores the final status, results.txt and final.safetensors in the run folder.
/// </summary>
public static class TrainingRun
{
    public const string Kind = "train";

    /// <summary>A new run of <paramref name="config"/> from θ₀, in <c>RESULTS/runs/ID</c>.</summary>
    public static TrainingResult Start(RunStore store, string? resultsFolder, TrainingConfig config, string? name = null, TrainingHooks? hooks = null)
    {
        ArgumentNullException.ThrowIfNull(store);
        var trainer = new Trainer(config);
        var id = Create(store, resultsFolder, trainer, name, parent: null, forkStep: null, out var folder);
        hooks?.Log?.Invoke($"train: run {id}: {Describe(trainer)}");
        return Execute(store, id, folder, trainer, trainer.InitialState(), hooks);
    }

    /// <summary>
    /// Continues run <paramref name="run"/> from its last checkpoint with its stored config, to
    /// <paramref name="steps"/> in all when given. Metric rows at or after the checkpoint's step are deleted
    /// first: the run recomputes them. A run still owned by a live process, a diverged run, or a finished run
    /// asked for no more steps is refused.
    /// </summary>
    public static TrainingResult Resume(RunStore store, string run, long? steps = null, TrainingHooks? hooks = null)
    {
        ArgumentNullException.ThrowIfNull(store);
        store.MarkInterrupted();
        var record = FindTrainRun(store, run);
        switch (record.Status)
        {
            case RunStatus.Running:
                throw new InvalidOperationException($"run {record.Id} is still running (process {record.Pid} on {record.Host}); stop it before resuming it");
            case RunStatus.Diverged:
                throw new InvalidOperationException($"run {record.Id} diverged ({record.Error}); there is nothing to resume, but it can be forked from a checkpoint: --fork {record.Id} --at-step S");
        }
        var stored = TrainingConfig.FromJson(record.Config);
        var config = stored with { Steps = steps ?? stored.Steps };
        var trainer = new Trainer(config);
        var folder = record.Folder ?? throw new InvalidOperationException($"run {record.Id} has no run folder, so no checkpoints");
        var checkpoints = new CheckpointFolder(folder, trainer.Network.Layout, trainer.Network.BufferLayout);
        var available = checkpoints.Steps();
        if (available.Count == 0) throw new InvalidOperationException($"run {record.Id} has no checkpoint to resume from in {checkpoints.Path}");
        var step = available[^1];
        Checkpoint checkpoint;
        try
        {
            checkpoint = checkpoints.Read(step);
        }
        catch (InvalidDataException e) when (available.Count > 1)
        {
            throw new InvalidDataException($"{e.Message}; to resume from the checkpoint before it (step {available[^2]}), move its two files aside", e);
        }
        if (config.Steps < step)
            throw new ArgumentException($"--steps {config.Steps} is before the last checkpoint of run {record.Id} (step {step})");
        if (record.Status == RunStatus.Finished && config.Steps <= step)
            throw new ArgumentException($"run {record.Id} finished at step {step}; pass --steps above {step} to continue it");
        var state = TrainingState.FromCheckpoint(checkpoint, trainer.CreateOptimizer(), config.BatchSize, requireOptimizerState: true, trainer.NoiseSeed,
            config.QuadSwitchStep, config.ProjSwitchStep, config.ProjTopL);
        state.Seconds = checkpoint.Seconds;
        trainer.Network.SetBuffers(checkpoint.Buffers);

        store.Reopen(record.Id);
        var deleted = store.DeleteMetricsFrom(record.Id, step);
        TrajectoryFolder.DeleteFrom(folder, step);   // written again, as the rows
        File.Delete(Path.Combine(folder, FinalReport.FileName));
        if (config.Steps != stored.Steps) store.UpdateConfig(record.Id, WithSteps(record, config.Steps));
        var threads = record.Config["threads"]?.GetValue<int>();
        if (threads is int t && t != Parallelism.Threads)
            hooks?.Log?.Invoke($"train: warning: run {record.Id} ran on {t} threads, this process uses {Parallelism.Threads}; results stay correct but are not bit-identical to an uninterrupted run");
        hooks?.Log?.Invoke($"train: resuming run {record.Id} '{record.Name}' ({record.Status.ToText()}) from its checkpoint at step {step} to step {config.Steps}; " +
                           $"{deleted} metric rows from step {step} on deleted");
        return Execute(store, record.Id, folder, trainer, state, hooks);
    }

    /// <summary>
    /// A new child run of <paramref name="parent"/> from the parent's checkpoint at <paramref name="atStep"/>,
    /// trained with <paramref name="config"/> (the parent's data and model, anything else may change: learning
    /// rate, batch size, optimiser, measurements, steps …). The child records the parent and the step. The
    /// optimiser's buffers carry over when the child's optimiser has the same ones (SGD momentum → Nesterov,
    /// a new η), else it starts afresh; the epoch loss accumulators carry over at the same batch size.
    /// </summary>
    public static TrainingResult Fork(RunStore store, string? resultsFolder, string parent, long atStep, TrainingConfig config, string? name = null, TrainingHooks? hooks = null)
    {
        ArgumentNullException.ThrowIfNull(store);
        ArgumentNullException.ThrowIfNull(config);
        var record = FindTrainRun(store, parent);
        var parentConfig = TrainingConfig.FromJson(record.Config);
        var differences = parentConfig.DifferencesInModelOrData(config).ToList();
        if (differences.Count > 0)
            throw new ArgumentException($"a fork starts from the parameters of run {record.Id}, so it keeps its data and model; {string.Join(", ", differences)} differ");
        if (config.Steps <= atStep) throw new ArgumentException($"--steps {config.Steps} must exceed the fork step {atStep}");
        var trainer = new Trainer(config);
        var folder = record.Folder ?? throw new InvalidOperationException($"run {record.Id} has no run folder, so no checkpoints");
        var parentCheckpoints = new CheckpointFolder(folder, trainer.Network.Layout, trainer.Network.BufferLayout);
        if (!parentCheckpoints.Has(atStep))
        {
            var steps = parentCheckpoints.Steps();
            throw new ArgumentException($"run {record.Id} has no checkpoint at step {atStep}; it has checkpoints at {(steps.Count == 0 ? "no step" : "steps " + string.Join(", ", steps))}");
        }
        var checkpoint = parentCheckpoints.Read(atStep);
        var optimizer = trainer.CreateOptimizer();
        bool carried = TrainingState.CarriesOptimizerState(checkpoint, optimizer);
        var state = TrainingState.FromCheckpoint(checkpoint, optimizer, config.BatchSize, requireOptimizerState: false, trainer.NoiseSeed,
            config.QuadSwitchStep, config.ProjSwitchStep, config.ProjTopL);
        trainer.Network.SetBuffers(checkpoint.Buffers);

        var id = Create(store, resultsFolder, trainer, name, record.Id, atStep, out var childFolder);
        hooks?.Log?.Invoke($"train: run {id} forks run {record.Id} at step {atStep}: {Describe(trainer)}; " +
                           (carried ? $"{optimizer.Name} state carried over" : $"{optimizer.Name} starts afresh (the parent used {checkpoint.OptimizerName})") +
                           (checkpoint.BatchSize == config.BatchSize ? "" : "; epoch loss restarts (new batch size)") +
                           (config.QuadSwitchStep is { } s && atStep > s
                               ? state.Quadratic is { } a ? $"; quadratic dynamics continue around the anchor of step {a.Step}" : $"; quadratic dynamics anchor at step {atStep}, the fork's θ"
                               : "") +
                           (config.ProjSwitchStep is { } p && atStep > p
                               ? state.Projection is { } b ? $"; projection on the parent's top-{b.Rank} eigenvectors of step {b.Step}" : $"; top-{config.ProjTopL} eigenvectors solved at step {atStep}"
                               : ""));
        return Execute(store, id, childFolder, trainer, state, hooks);
    }

    private static RunRecord FindTrainRun(RunStore store, string run)
    {
        var record = store.FindRun(run) ?? throw new ArgumentException($"no run '{run}' in {store.DatabasePath} (see `sharpedge runs list`)");
        if (record.Kind != Kind) throw new ArgumentException($"run {record.Id} is a '{record.Kind}' run, not a training run");
        return record;
    }

    private static long Create(RunStore store, string? resultsFolder, Trainer trainer, string? name, long? parent, long? forkStep, out string folder)
    {
        var c = trainer.Config;
        var id = store.CreateRun(new RunRecord
        {
            Name = name ?? $"{c.Dataset}_{c.Model}_lr{c.LearningRate}_b{c.BatchSize}",
            Kind = Kind,
            Status = RunStatus.Running,
            Config = c.ToJson(trainer.SampleCount, trainer.Network.ParameterCount, Parallelism.Threads),
            ParentId = parent,
            ForkStep = forkStep,
        });
        folder = Path.Combine(ResultsFolder.Resolve(resultsFolder), "runs", id.ToString(System.Globalization.CultureInfo.InvariantCulture));
        Directory.CreateDirectory(folder);
        store.SetFolder(id, folder);
        return id;
    }

    private static System.Text.Json.Nodes.JsonObject WithSteps(RunRecord record, long steps)
    {
        var json = (System.Text.Json.Nodes.JsonObject)record.Config.DeepClone();
        json["steps"] = steps;
        return json;
    }

    private static string Describe(Trainer t)
    {
        var c = t.Config;
        var measured = t.Measurements.Count == 0 ? "no measurements" : "measuring " + string.Join(", ", t.Measurements.Select(m => $"{m.Measurement.Name}@{m.Cadence}")) +
            (c.CurvatureSubset > 0 ? $" (full-data curvature on a fresh {c.CurvatureSubset}-sample subset each time)" : "") +
            (c.EigenTolerance is { } tol ? $" (eigensolves to relative residual {tol:G3})" : "");
        var evaluated = string.Concat(t.Evaluations.Select(e => $", {e.LossMetric[..^5]} loss and accuracy@{e.Cadence}"));
        var steps = t.Update switch
        {
            NoisyGradientDescent g => $"noisy GD ({c.GdNoise} noise ×{c.NoiseMagnitude}{(g.Noise.Model is NoiseModel.Diagonal or NoiseModel.Isotropic ? (c.NoiseRefresh == 1 ? ", variances every step" : $", variances every {c.NoiseRefresh} steps") : "")}, seed {c.NoiseSeed}) with {c.Optimizer}",
            EulerMaruyama e => $"SDE (Euler–Maruyama, {e.SubSteps} sub-steps of {e.SubStep:G4} per step of time η={e.Eta:G4}, diffusion ×{c.NoiseMagnitude}, seed {c.NoiseSeed})",
            QuadraticDynamics q => $"sgd, from step {q.SwitchStep} on the batch Taylor model around θ_{q.SwitchStep} ({(q.GaussNewton ? "Gauss–Newton" : "Hessian")}, step η′={q.LearningRate}, quadratic_loss@{q.LossCadence})",
            ProjectedSgd p => $"sgd, from step {p.SwitchStep} with each update projected {(p.ToResidual ? "off" : "on")} the top-{p.Rank} Hessian eigenspace (eigenvectors solved @{p.Refresh})",
            _ => c.Optimizer,
        };
        var trajectory = t.TrajectoryCadence is { } every ? $", trajectory projection@{every}" : "";
        return $"{t.Network.Description}, {t.Network.ParameterCount:N0} parameters, {t.SampleCount} samples of {c.Dataset}, {c.Loss}, {steps} η={c.LearningRate} " +
               $"(2/η = {2 / c.LearningRate:G4}), batch {c.BatchSize}, {c.Steps} steps, {measured}{evaluated}{trajectory}{(c.Final ? ", final.json" : "")}, checkpoint every {c.CheckpointEvery} steps";
    }

    private static TrainingResult Execute(RunStore store, long id, string folder, Trainer trainer, TrainingState state, TrainingHooks? hooks)
    {
        var output = new TrainingOutput(store, id, new CheckpointFolder(folder, trainer.Network.Layout, trainer.Network.BufferLayout), hooks?.Progress, hooks?.Log);
        var started = DateTime.UtcNow;
        TrainingOutcome outcome;
        IHessianEngine? engine = null;
        IBatchCurvatureEngine<float>? batchEngine = null;
        try
        {
            if (hooks?.HessianEngine is { } create) trainer.HessianEngine = engine = trainer.CreateHessianEngine(create);
            if (hooks?.BatchEngine is { } createBatch) trainer.BatchEngine = batchEngine = trainer.CreateBatchEngine(createBatch);
            bool onCpu = hooks?.BatchEngine is not null && trainer.BatchSharpnessStaysOnCpu;
            if (onCpu) hooks!.Log?.Invoke(EngineMeasurements.GramPathNote("train"));
            if ((hooks?.HessianEngine is not null || hooks?.BatchEngine is not null) && engine is null && batchEngine is null && !onCpu)
                hooks.Log?.Invoke($"train: no scheduled measurement runs on the GPU (only {EngineMeasurements.HessianEngineNames}, {EngineMeasurements.BatchEngineNames} do): all on the CPU");
            outcome = trainer.Run(state, output, hooks?.Cancel ?? default);
        }
        catch (Exception e)
        {
            store.Finish(id, RunStatus.Failed, state.Seconds + (DateTime.UtcNow - started).TotalSeconds, e.Message);
            RunExport.ResultsTxt(store, id, Path.Combine(folder, "results.txt"));
            throw;
        }
        finally
        {
            (engine as IDisposable)?.Dispose();
            (batchEngine as IDisposable)?.Dispose();
        }
        store.Finish(id, outcome.Status, outcome.Seconds, outcome.Error);
        RunExport.ResultsTxt(store, id, Path.Combine(folder, "results.txt"));
        if (outcome.Status is RunStatus.Finished or RunStatus.Diverged)
            ParameterFile.Write<float>(Path.Combine(folder, "final.safetensors"), trainer.Network, state.Theta);
        if (outcome.Status == RunStatus.Finished && trainer.Config.Final)
            FinalReport.Write(Path.Combine(folder, FinalReport.FileName), store.GetRun(id), trainer, outcome.Steps, store.Metrics(id).Where(r => r.Step == outcome.Steps));
        return new TrainingResult(id, store.GetRun(id), folder, outcome);
    }
}

/// <summary>Optional observers of a run: progress reports, log lines, and a token that interrupts it (with a checkpoint).</summary>
public sealed record TrainingHooks(Action<TrainingProgress>? Progress = null, Action<string>? Log = null, CancellationToken Cancel = default)
{
    /// <summary>
    /// Builds, from the full-data objective, where the eigen-measurements of H and G run instead of the CPU engine (a
    /// GPU, <c>train --device cuda</c>), called only when a scheduled measurement takes it; disposed after the session if
    /// it is disposable.
    /// </summary>
    public Func<Objective<float>, IHessianEngine>? HessianEngine { get; init; }

    /// <summary>
    /// Builds, from the full-data objective and the batch size, where batch sharpness evaluates its Monte-Carlo batches
    /// instead of the CPU workers (a GPU), called only when a scheduled measurement takes it; disposed after the session
    /// if it is disposable.
    /// </summary>
    public Func<Objective<float>, int, IBatchCurvatureEngine<float>>? BatchEngine { get; init; }
}

/// <summary>The run as stored after training, its folder and how the session ended.</summary>
public sealed record TrainingResult(long RunId, RunRecord Run, string Folder, TrainingOutcome Outcome);
