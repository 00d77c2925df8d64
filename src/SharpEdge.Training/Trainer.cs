using SharpEdge.Curvature;
using System.Diagnostics;
using SharpEdge.Curvature.Measurements;
using SharpEdge.Data;
using SharpEdge.Nn;
using SharpEdge.Runs;

namespace SharpEdge.Training;

/// <summary>
/// The training loop of eoss_spec §9 for one <see cref="TrainingConfig"/>, float32. Step t, from t = the state's
/// step to the configured total: checkpoint when due (<see cref="Checkpoint"/>: the state at the top of the step),
/// the measurements, evaluations and trajectory record whose cadence fires at t (every one at the last step), the
/// step's loss and gradient (on batch t of <see cref="BatchOrder"/>, on all data for noisy GD and the SDE, on the
/// Taylor model for quadratic dynamics: <see cref="UpdateRule"/>), the divergence and stop-loss checks, the update.
/// </summary>
/// <remarks>
/// Nothing in the loop depends on how the run got to step t: batches are a function of (order seed, t),
/// measurement seeds of t, and the warm starts, optimiser buffers, epoch accumulators and the noise generator
/// are in the checkpoint.
/// So a run resumed from its checkpoint at step S repeats an uninterrupted run bit for bit (at the same thread
/// count, which fixes the summation order of the kernels).
/// </remarks>
public sealed class Trainer
{
    private static readonly TimeSpan FlushInterval = TimeSpan.FromSeconds(5);
    private static readonly TimeSpan ProgressInterval = TimeSpan.FromMilliseconds(200);
    private const int FlushRows = 4096;

    private readonly Samples<float> train;
    private readonly ModelSpec spec;
    private readonly BatchOrder order;
    private readonly Objective<float> full;
    private readonly UpdateRule update;
    private readonly ScheduledMeasurement[] scheduled;
    private readonly Evaluation[] evaluations;
    private readonly MeasurementCadence? trajectoryCadence;
    private SparseRandomProjection? trajectoryProjection;
    private float[]? initialParameters;
    private Objective<float>? subsetWorkspace;

    /// <summary>Loads the data and builds the model of <paramref name="config"/> (validated first).</summary>
    public Trainer(TrainingConfig config)
    {
        ArgumentNullException.ThrowIfNull(config);
        config.Validate();
        Config = config;
        scheduled = [.. ScheduledMeasurement.ParseList(config.Measure, config.MeasureEvery), .. FinalMeasurements(config)];
        var data = Datasets.Load(config.Dataset, new DataRequest { NumData = config.NumData, DatasetSeed = config.DatasetSeed });
        train = data.Train<float>(config.Loss);
        if (config.CurvatureSubset > train.Count) throw new ArgumentException($"--curvature-subset {config.CurvatureSubset} exceeds the {train.Count} training samples");
        spec = ModelSpec.Parse(config.Model);
        Network = spec.Build<float>(data.InputShape, data.Outputs);
        order = new BatchOrder(train.Count, config.BatchSize, config.OrderSeed);
        var loss = Loss<float>.FromName(config.Loss);
        full = new Objective<float>(Network, loss, train);
        update = UpdateRule.Create(config, full, order);
        var evaluations = new List<Evaluation>();
        if (config.FullLossEvery.Length > 0)
            evaluations.Add(new Evaluation("full", Network, loss, train, MeasurementCadence.Parse(config.FullLossEvery, "--full-loss-every", Evaluation.FullLossRule)));
        else if (config.Final)
            evaluations.Add(new Evaluation("full", Network, loss, train, MeasurementCadence.AtEnd));
        if (config.TestEvery.Length > 0)
        {
            var cadence = MeasurementCadence.Parse(config.TestEvery, "--test-every", head: null);
            if (data.TestCount == 0) throw new ArgumentException($"--test-every: {config.Dataset} has no test split");
            evaluations.Add(new Evaluation("test", Network, loss, data.Test<float>(config.Loss), cadence));
        }
        this.evaluations = [.. evaluations];
        if (config.TrajectoryEvery.Length > 0) trajectoryCadence = MeasurementCadence.Parse(config.TrajectoryEvery, "--trajectory-every", TrajectoryFolder.HeadRule);
    }

    /// <summary>Measurements <c>--final</c> adds at the last step (eoss_spec §7.18: λ_max, and the seed's batch sharpness) unless listed already.</summary>
    private static IEnumerable<ScheduledMeasurement> FinalMeasurements(TrainingConfig config)
    {
        if (!config.Final) yield break;
        var listed = ScheduledMeasurement.ParseList(config.Measure, config.MeasureEvery).Select(m => m.Measurement.Name).ToHashSet();
        foreach (var name in FinalMeasurementNames)
            if (!listed.Contains(name)) yield return new ScheduledMeasurement(MeasurementRegistry.Find(name), MeasurementCadence.AtEnd);
    }

    /// <summary>What <c>--final</c> measures at the last step besides the full loss and accuracy.</summary>
    public static readonly string[] FinalMeasurementNames = ["lambda-max", "batch-sharpness"];

    public TrainingConfig Config { get; }

    /// <summary>Where the eigen-measurements of H and G (<see cref="EngineMeasurements.TakesHessianEngine"/>) run instead of the CPU engine; null: the CPU.</summary>
    public IHessianEngine? HessianEngine { get; set; }

    /// <summary>
    /// Builds a <see cref="HessianEngine"/> on this run's full-data objective (which it must hold the samples of), or
    /// returns null when no scheduled measurement (the end-of-run ones included) would use it.
    /// </summary>
    public IHessianEngine? CreateHessianEngine(Func<Objective<float>, IHessianEngine> create)
    {
        if (!scheduled.Any(m => EngineMeasurements.TakesHessianEngine(m.Measurement))) return null;
        if (Config.CurvatureSubset > 0 && Config.CurvatureSubset < full.Data.Count)
            throw new ArgumentException("--device cuda measures the Hessian on all samples so far; drop --curvature-subset (or use --device cpu)");
        return create(full);
    }

    /// <summary>Where batch sharpness evaluates its Monte-Carlo batches instead of the CPU workers; null: the CPU.</summary>
    public IBatchCurvatureEngine<float>? BatchEngine { get; set; }

    /// <summary>
    /// Builds a <see cref="BatchEngine"/> for this run's objective and batch size, or returns null when no scheduled
    /// measurement (the end-of-run ones included) would use it (<see cref="EngineMeasurements.TakesBatchEngine"/>).
    /// </summary>
    public IBatchCurvatureEngine<float>? CreateBatchEngine(Func<Objective<float>, int, IBatchCurvatureEngine<float>> create)
    {
        bool gramPath = EngineMeasurements.CpuHasGramPath(Network, Config.BatchSize);
        return scheduled.Any(m => EngineMeasurements.TakesBatchEngine(m.Measurement, gramPath)) ? create(full, Config.BatchSize) : null;
    }

    /// <summary>True when batch sharpness (the Hessian's forms) is scheduled and stays on the CPU workers even with a batch engine (<see cref="EngineMeasurements.CpuHasGramPath"/>).</summary>
    public bool BatchSharpnessStaysOnCpu =>
        scheduled.Any(m => EngineMeasurements.StaysOnCpuWorkers(m.Measurement, EngineMeasurements.CpuHasGramPath(Network, Config.BatchSize)));

    public Network<float> Network { get; }
    public IReadOnlyList<ScheduledMeasurement> Measurements => scheduled;
    public IReadOnlyList<Evaluation> Evaluations => evaluations;
    public UpdateRule Update => update;
    /// <summary>The cadence of the trajectory projection, null when off.</summary>
    public MeasurementCadence? TrajectoryCadence => trajectoryCadence;
    public int SampleCount => train.Count;
    public int StepsPerEpoch => order.StepsPerEpoch;
    /// <summary>Where the time of the sessions run so far went (steps, each measurement).</summary>
    public TimeAccount Time { get; } = new();

    /// <summary>θ₀ of the config (model spec, init scale, init seed): a fresh run starts here, parameter distance measures from here.</summary>
    public float[] InitialParameters()
    {
        var theta = new float[Network.ParameterCount];
        spec.Initialize(Network, theta, Config.InitScale, Config.InitSeed);
        return theta;
    }

    public Optimizer<float> CreateOptimizer() => Optimizer<float>.Create(Config.Optimizer, Network.ParameterCount, Config.LearningRate, Config.Momentum);

    /// <summary>The state at step 0.</summary>
    public TrainingState InitialState() => new(InitialParameters(), CreateOptimizer()) { Noise = NoiseSeed is { } seed ? new NoiseState(seed) : null };

    /// <summary>The seed of the run's noise generator, null for minibatch training (no noise).</summary>
    public ulong? NoiseSeed => Config.FullBatch ? Config.NoiseSeed : null;

    /// <summary>
    /// Trains from <paramref name="state"/> to the configured total, writing metric rows to the run store and
    /// checkpoints into <paramref name="output"/>'s folder. Cancelling writes a checkpoint at the current step and
    /// returns <see cref="RunStatus.Interrupted"/>. On an exception the rows taken so far are stored and it propagates.
    /// </summary>
    public TrainingOutcome Run(TrainingState state, TrainingOutput output, CancellationToken cancel = default)
    {
        ArgumentNullException.ThrowIfNull(state);
        ArgumentNullException.ThrowIfNull(output);
        var trajectory = trajectoryCadence is null ? null
            : new TrajectoryFolder(output.Folder, trajectoryProjection ??= new SparseRandomProjection(Network.ParameterCount), trajectoryCadence);
        if (state.Theta.Length != Network.ParameterCount) throw new ArgumentException($"θ has {state.Theta.Length} values, the model {Network.ParameterCount}");
        if (Config.FullBatch && state.Noise is null) throw new ArgumentException("noisy GD and the SDE need the state's noise generator (TrainingState.Noise)");
        var clock = Stopwatch.StartNew();
        long startStep = state.Step;
        double Seconds() => state.Seconds + clock.Elapsed.TotalSeconds;
        long lastCheckpoint = output.Checkpoints.Has(startStep) ? startStep : -1;
        var lastCheckpointTime = TimeSpan.Zero;
        var checkpointInterval = Config.CheckpointMinutes > 0 ? TimeSpan.FromMinutes(Config.CheckpointMinutes) : TimeSpan.MaxValue;
        var pending = new List<MetricRow>();
        var lastFlush = TimeSpan.Zero;
        var lastProgress = TimeSpan.Zero;
        var latest = new Dictionary<string, double>();
        var status = RunStatus.Finished;
        string? error = null;
        bool stopped = false;
        double batchLoss = double.NaN;

        void Flush()
        {
            output.Store.AppendMetrics(output.RunId, pending);
            pending.Clear();
            lastFlush = clock.Elapsed;
        }

        void WriteCheckpoint(CheckpointKind kind)
        {
            Flush();   // every row before the checkpoint's step is stored before the checkpoint commits
            output.Checkpoints.Write(state.ToCheckpoint(kind, Config.BatchSize, Seconds()) with { Buffers = Network.Buffers }, Config.KeepCheckpoints);
            lastCheckpoint = state.Step;
            lastCheckpointTime = clock.Elapsed;
        }

        try
        {
            for (;;)
            {
                long step = state.Step;
                bool end = step >= Config.Steps || stopped;
                if (cancel.IsCancellationRequested && !end)   // at the end, finishing is as quick as stopping
                {
                    if (lastCheckpoint != step) WriteCheckpoint(CheckpointKind.Interrupt);
                    status = RunStatus.Interrupted;
                    error = $"interrupted at step {step}";
                    break;
                }
                if (lastCheckpoint != step)
                {
                    if (end) WriteCheckpoint(CheckpointKind.Final);
                    else if (step % Config.CheckpointEvery == 0 || lastCheckpoint < 0) WriteCheckpoint(CheckpointKind.Step);
                    else if (clock.Elapsed - lastCheckpointTime >= checkpointInterval) WriteCheckpoint(CheckpointKind.Time);
                }
                var epoch = (double)step / order.StepsPerEpoch;
                Measure(state, step, epoch, end, pending, latest, trajectory);
                if (end) break;

                long stepStart = Stopwatch.GetTimestamp();
                batchLoss = update.Evaluate(state, step);
                pending.Add(new MetricRow(step, epoch, "loss", batchLoss));
                if (!double.IsFinite(batchLoss) || batchLoss > 1e12)
                {
                    status = RunStatus.Diverged;
                    error = $"loss {batchLoss} at step {step}";
                    break;
                }
                state.EpochLossSum += batchLoss;
                state.EpochLossCount++;
                if ((step + 1) % order.StepsPerEpoch == 0)
                {
                    var epochLoss = state.EpochLossSum / state.EpochLossCount;
                    state.EpochLossSum = 0;
                    state.EpochLossCount = 0;
                    if (Config.StopLoss is { } stop && epochLoss < stop)
                    {
                        stopped = true;
                        output.Log?.Invoke($"train: mean epoch loss {epochLoss:G4} below --stop-loss {stop} after {step + 1} steps");
                    }
                }
                update.Apply(state, step);
                Time.AddStep(Stopwatch.GetTimestamp() - stepStart);
                update.Report(step, epoch, pending);
                state.Step = step + 1;

                var now = clock.Elapsed;
                if (pending.Count >= FlushRows || now - lastFlush >= FlushInterval) Flush();
                if (output.Progress is { } progress && now - lastProgress >= ProgressInterval)
                {
                    lastProgress = now;
                    progress(Progress(state.Step, startStep, batchLoss, latest, now));
                }
            }
        }
        finally
        {
            Flush();
        }
        output.Progress?.Invoke(Progress(state.Step, startStep, batchLoss, latest, clock.Elapsed));
        output.Log?.Invoke($"train: time: {Time.Summary()}");
        return new TrainingOutcome(status, state.Step, Seconds(), error, latest, Time.Shares);
    }

    private TrainingProgress Progress(long step, long startStep, double loss, Dictionary<string, double> latest, TimeSpan elapsed)
    {
        var rate = elapsed.TotalSeconds > 0 ? (step - startStep) / elapsed.TotalSeconds : 0;
        var seconds = TrainingEta.Remaining(step, Config.Steps, Config.BatchSize, scheduled, Time.Shares, elapsed.TotalSeconds, step - startStep);
        TimeSpan? remaining = seconds is { } s ? TimeSpan.FromSeconds(s) : null;
        return new TrainingProgress(step, Config.Steps, loss, new Dictionary<string, double>(latest), rate, remaining);
    }

    /// <summary>
    /// The measurements due at <paramref name="step"/> (all of them at the end), in the order listed, then the due
    /// evaluations (full data, test split), the update rule's own (the quadratic model's loss) and the trajectory
    /// record. At the end, the current-batch measurements (step sharpness …) take the batch the next step would train
    /// on: the one a longer or resumed run trains on from this θ, so the last row of a run equals that run's row at the
    /// same step.
    /// </summary>
    private void Measure(TrainingState state, long step, double epoch, bool end, List<MetricRow> rows, Dictionary<string, double> latest, TrajectoryFolder? trajectory)
    {
        MeasureCurvature(state, step, epoch, end, rows, latest);
        foreach (var e in evaluations)
        {
            if (!(end || e.Cadence.Fires(step, Config.BatchSize))) continue;
            e.Evaluate(state.Theta, step, epoch, rows);
            latest[e.LossMetric] = rows[^2].Value;
            latest[e.AccuracyMetric] = rows[^1].Value;
        }
        int before = rows.Count;
        update.Measure(state, step, epoch, end, rows);
        for (int i = before; i < rows.Count; i++) latest[rows[i].Name] = rows[i].Value;
        if (trajectory is not null && (end || trajectory.Cadence.Fires(step, Config.BatchSize)))
        {
            trajectory.Record(state.Theta, step, epoch, rows);
            latest[TrajectoryFolder.Metric] = rows[^1].Value;
        }
    }

    private void MeasureCurvature(TrainingState state, long step, double epoch, bool end, List<MetricRow> rows, Dictionary<string, double> latest)
    {
        bool any = false;
        foreach (var m in scheduled) any |= end || m.Cadence.Fires(step, Config.BatchSize);   // an array: no enumerator per step
        if (!any) return;
        var momentum = state.Optimizer as Sgd<float>;
        bool needsStart = scheduled.Any(m => m.Measurement.Needs.HasFlag(MeasurementNeeds.InitialParameters));
        var context = new MeasurementContext<float>(full, state.Theta)
        {
            LearningRate = Config.LearningRate,
            BatchSize = Config.BatchSize,
            Seed = (ulong)step * 7919 + Config.OrderSeed,   // so the curvature subset too is a function of the step: nothing to checkpoint
            CurvatureSubset = Config.CurvatureSubset,
            SubsetWorkspace = Config.CurvatureSubset is > 0 and var n && n < train.Count ? subsetWorkspace ??= MeasurementContext<float>.CreateSubsetWorkspace(full, n) : null,
            Tolerance = Config.EigenTolerance,
            WarmStart = state.WarmStart,
            TrainingBatch = update.TrainingBatch(step),   // the batch step t trains on (at the end: the one it would)
            InitialParameters = needsStart ? initialParameters ??= InitialParameters() : default,
            MomentumBuffer = momentum is not null && state.Optimizer.State.TryGetValue("momentum_buffer", out var buffer) ? buffer : default,
            Momentum = momentum?.Momentum ?? 0,
            HessianEngine = HessianEngine,
            BatchEngine = BatchEngine,
        };
        foreach (var m in scheduled)
        {
            if (!(end || m.Cadence.Fires(step, Config.BatchSize))) continue;
            var result = m.Measurement.Measure(context);
            Time.Add(m.Measurement.Name, result.Value.Products, result.Value.Samples, result.Value.Seconds);
            foreach (var (metric, estimate) in result.Metrics())
            {
                rows.Add(new MetricRow(step, epoch, metric, estimate.Value, estimate.StandardError, estimate.Samples));
                latest[metric] = estimate.Value;
            }
        }
        if (context.IsLinearized) Time.Add(TimeAccount.Linearization, 0, 0, context.LinearizationSeconds);
    }
}

/// <summary>Where a <see cref="Trainer"/> writes: the run's store rows, its checkpoint folder, progress and log lines.</summary>
public sealed record TrainingOutput(RunStore Store, long RunId, CheckpointFolder Checkpoints, Action<TrainingProgress>? Progress = null, Action<string>? Log = null)
{
    /// <summary>The run folder (the checkpoint folder's parent): trajectory records go there.</summary>
    public string Folder => Path.GetDirectoryName(Checkpoints.Path) ?? ".";
}

/// <summary>
/// How a training session ended: status, the step reached, total training seconds, the error if any, the last value of
/// each metric, and where this session's time went (<see cref="TimeAccount"/>).
/// </summary>
public sealed record TrainingOutcome(RunStatus Status, long Steps, double Seconds, string? Error, IReadOnlyDictionary<string, double> Latest, IReadOnlyList<TimeShare> Time);

/// <summary>A progress report: the next step, the total, the last batch loss, the last value of each metric, speed and time left.</summary>
public sealed record TrainingProgress(long Step, long Steps, double Loss, IReadOnlyDictionary<string, double> Latest, double StepsPerSecond, TimeSpan? Remaining);
