using System.Diagnostics;
using SharpEdge.Curvature.Measurements;
using SharpEdge.Data;
using SharpEdge.Nn;
using SharpEdge.Runs;

namespace SharpEdge.Training;

/// <summary>
/// The minibatch training loop of eoss_spec §9 for one <see cref="TrainingConfig"/>, float32. Step t, from
/// t = the state's step to the configured total: checkpoint when due (<see cref="Checkpoint"/>: the state at the
/// top of the step), the measurements whose cadence fires at t (every one at the last step), the batch loss
/// and gradient on batch t of <see cref="BatchOrder"/>, the divergence and stop-loss checks, the update.
/// </summary>
/// <remarks>
/// Nothing in the loop depends on how the run got to step t: batches are a function of (order seed, t),
/// measurement seeds of t, and the warm starts, optimiser buffers and epoch accumulators are in the checkpoint.
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
    private readonly Samples<float> batchSamples;
    private readonly Objective<float> batchObjective;
    private readonly float[] gradient;
    private readonly ScheduledMeasurement[] scheduled;
    private float[]? initialParameters;

    /// <summary>Loads the data and builds the model of <paramref name="config"/> (validated first).</summary>
    public Trainer(TrainingConfig config)
    {
        ArgumentNullException.ThrowIfNull(config);
        config.Validate();
        Config = config;
        scheduled = [.. ScheduledMeasurement.ParseList(config.Measure, config.MeasureEvery)];
        var data = Datasets.Load(config.Dataset, new DataRequest { NumData = config.NumData, DatasetSeed = config.DatasetSeed });
        train = data.Train<float>(config.Loss);
        spec = ModelSpec.Parse(config.Model);
        Network = spec.Build<float>(data.InputShape, data.Outputs);
        order = new BatchOrder(train.Count, config.BatchSize, config.OrderSeed);
        var loss = Loss<float>.FromName(config.Loss);
        full = new Objective<float>(Network, loss, train);
        batchSamples = train.CreateBuffer(config.BatchSize);
        batchObjective = new Objective<float>(Network, loss, batchSamples) { UpdateRunningStatistics = true };   // BatchNorm: as PyTorch's train()
        gradient = new float[Network.ParameterCount];
    }

    public TrainingConfig Config { get; }
    public Network<float> Network { get; }
    public IReadOnlyList<ScheduledMeasurement> Measurements => scheduled;
    public int SampleCount => train.Count;
    public int StepsPerEpoch => order.StepsPerEpoch;

    /// <summary>θ₀ of the config (model spec, init scale, init seed): a fresh run starts here, parameter distance measures from here.</summary>
    public float[] InitialParameters()
    {
        var theta = new float[Network.ParameterCount];
        spec.Initialize(Network, theta, Config.InitScale, Config.InitSeed);
        return theta;
    }

    public Optimizer<float> CreateOptimizer() => Optimizer<float>.Create(Config.Optimizer, Network.ParameterCount, Config.LearningRate, Config.Momentum);

    /// <summary>The state at step 0.</summary>
    public TrainingState InitialState() => new(InitialParameters(), CreateOptimizer());

    /// <summary>
    /// Trains from <paramref name="state"/> to the configured total, writing metric rows to the run store and
    /// checkpoints into <paramref name="output"/>'s folder. Cancelling writes a checkpoint at the current step and
    /// returns <see cref="RunStatus.Interrupted"/>. On an exception the rows taken so far are stored and it propagates.
    /// </summary>
    public TrainingOutcome Run(TrainingState state, TrainingOutput output, CancellationToken cancel = default)
    {
        ArgumentNullException.ThrowIfNull(state);
        ArgumentNullException.ThrowIfNull(output);
        if (state.Theta.Length != Network.ParameterCount) throw new ArgumentException($"θ has {state.Theta.Length} values, the model {Network.ParameterCount}");
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
                Measure(state, step, epoch, end, pending, latest);
                if (end) break;

                train.GatherInto(order.Batch(step), batchSamples);
                batchLoss = batchObjective.Linearize(state.Theta, gradient);
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
                state.Optimizer.Step(state.Theta, gradient);
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
        return new TrainingOutcome(status, state.Step, Seconds(), error, latest);
    }

    private TrainingProgress Progress(long step, long startStep, double loss, Dictionary<string, double> latest, TimeSpan elapsed)
    {
        var rate = elapsed.TotalSeconds > 0 ? (step - startStep) / elapsed.TotalSeconds : 0;
        TimeSpan? remaining = rate > 0 ? TimeSpan.FromSeconds(Math.Max(0, Config.Steps - step) / rate) : null;
        return new TrainingProgress(step, Config.Steps, loss, new Dictionary<string, double>(latest), rate, remaining);
    }

    /// <summary>The measurements due at <paramref name="step"/> (all of them at the end), in the order listed.</summary>
    private void Measure(TrainingState state, long step, double epoch, bool end, List<MetricRow> rows, Dictionary<string, double> latest)
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
            Seed = (ulong)step * 7919 + Config.OrderSeed,
            WarmStart = state.WarmStart,
            TrainingBatch = order.Batch(step).ToArray(),   // the batch step t trains on (at the end: the one it would)
            InitialParameters = needsStart ? initialParameters ??= InitialParameters() : default,
            MomentumBuffer = momentum is not null && state.Optimizer.State.TryGetValue("momentum_buffer", out var buffer) ? buffer : default,
            Momentum = momentum?.Momentum ?? 0,
        };
        foreach (var m in scheduled)
        {
            if (!(end || m.Cadence.Fires(step, Config.BatchSize))) continue;
            foreach (var (metric, estimate) in m.Measurement.Measure(context).Metrics())
            {
                rows.Add(new MetricRow(step, epoch, metric, estimate.Value, estimate.StandardError, estimate.Samples));
                latest[metric] = estimate.Value;
            }
        }
    }
}

/// <summary>Where a <see cref="Trainer"/> writes: the run's store rows, its checkpoint folder, progress and log lines.</summary>
public sealed record TrainingOutput(RunStore Store, long RunId, CheckpointFolder Checkpoints, Action<TrainingProgress>? Progress = null, Action<string>? Log = null);

/// <summary>How a training session ended: status, the step reached, total training seconds, the error if any, and the last value of each metric.</summary>
public sealed record TrainingOutcome(RunStatus Status, long Steps, double Seconds, string? Error, IReadOnlyDictionary<string, double> Latest);

/// <summary>A progress report: the next step, the total, the last batch loss, the last value of each metric, speed and time left.</summary>
public sealed record TrainingProgress(long Step, long Steps, double Loss, IReadOnlyDictionary<string, double> Latest, double StepsPerSecond, TimeSpan? Remaining);
