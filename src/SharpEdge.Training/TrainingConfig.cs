using System.Globalization;
using System.Text.Json.Nodes;

namespace SharpEdge.Training;

/// <summary>
/// Everything that defines a training run (eoss_spec §2, §9): data, model, initialisation, optimiser, step
/// count, measurements with their cadences, stop loss and the checkpoint policy. Stored as the run's config
/// in the run store (<see cref="ToJson"/>), from which a resumed run rebuilds it (<see cref="FromJson"/>).
/// </summary>
public sealed record TrainingConfig
{
    public string Dataset { get; init; } = "fmnist-mini";
    /// <summary>Training samples (<c>--num-data</c>), 0 = the whole split; the subset rule is the original's.</summary>
    public int NumData { get; init; }
    public ulong DatasetSeed { get; init; } = 888;
    public string Model { get; init; } = "mlp";
    public double InitScale { get; init; } = 0.2;
    public ulong InitSeed { get; init; }
    /// <summary>Seed of the batch order, a function of (seed, epoch) only (<see cref="BatchOrder"/>).</summary>
    public ulong OrderSeed { get; init; }
    public string Loss { get; init; } = "mse";
    public string Optimizer { get; init; } = "sgd";
    public double LearningRate { get; init; }
    public double Momentum { get; init; }
    public int BatchSize { get; init; } = 8;
    /// <summary>The run ends after exactly this many updates (its last step index is Steps − 1).</summary>
    public long Steps { get; init; }
    /// <summary>Measurements with optional cadences, e.g. <c>lambda-max@256,batch-sharpness</c> (<see cref="ScheduledMeasurement.ParseList"/>).</summary>
    public string Measure { get; init; } = "";
    /// <summary>The cadence of measurements listed without one: every this many steps.</summary>
    public int MeasureEvery { get; init; } = 100;
    /// <summary>Stop once the mean batch loss of an epoch falls below this (eoss_spec §9.4).</summary>
    public double? StopLoss { get; init; }
    /// <summary>A checkpoint every this many steps (kept), besides the first and the last.</summary>
    public long CheckpointEvery { get; init; } = 1000;
    /// <summary>Also a checkpoint once this many minutes passed since the last one (replaced by the next); 0 = never.</summary>
    public double CheckpointMinutes { get; init; } = 10;
    /// <summary>How many step checkpoints to keep (the newest); 0 keeps all, so any of them can be forked from.</summary>
    public int KeepCheckpoints { get; init; }

    /// <summary>Throws on a setting no run can have, naming the option.</summary>
    public void Validate()
    {
        if (!(LearningRate > 0) || !double.IsFinite(LearningRate)) throw new ArgumentException($"--lr must be positive and finite, got {LearningRate}");
        if (Steps < 1) throw new ArgumentException($"--steps must be positive, got {Steps}");
        if (BatchSize < 1) throw new ArgumentException($"--batch must be positive, got {BatchSize}");
        if (MeasureEvery < 1) throw new ArgumentException($"--measure-every must be positive, got {MeasureEvery}");
        if (CheckpointEvery < 1) throw new ArgumentException($"--checkpoint-every must be positive, got {CheckpointEvery}");
        if (!(CheckpointMinutes >= 0) || !double.IsFinite(CheckpointMinutes)) throw new ArgumentException($"--checkpoint-minutes must be finite and ≥ 0, got {CheckpointMinutes}");
        if (KeepCheckpoints < 0) throw new ArgumentException($"--keep-checkpoints must be ≥ 0 (0 keeps all), got {KeepCheckpoints}");
        if (!(Momentum >= 0 && Momentum < 1)) throw new ArgumentException($"--momentum must be in [0, 1), got {Momentum}");
        if (StopLoss is { } stop && !double.IsFinite(stop)) throw new ArgumentException($"--stop-loss must be finite, got {stop}");
        if (Loss is not ("mse" or "ce")) throw new ArgumentException($"--loss must be mse or ce, got '{Loss}'");
    }

    /// <summary>The settings that fix the parameter space and the data: a fork may change anything else.</summary>
    public IEnumerable<string> DifferencesInModelOrData(TrainingConfig other)
    {
        if (Dataset != other.Dataset) yield return "dataset";
        if (NumData != other.NumData) yield return "num_data";
        if (DatasetSeed != other.DatasetSeed) yield return "dataset_seed";
        if (Model != other.Model) yield return "model";
    }

    /// <summary>The config as stored in the run store, plus facts of the built run (samples, parameters, threads).</summary>
    public JsonObject ToJson(int samples, int parameters, int threads) => new()
    {
        ["dataset"] = Dataset, ["num_data"] = NumData, ["samples"] = samples, ["dataset_seed"] = DatasetSeed, ["model"] = Model,
        ["parameters"] = parameters, ["init_scale"] = InitScale, ["init_seed"] = InitSeed, ["order_seed"] = OrderSeed, ["loss"] = Loss,
        ["optimizer"] = Optimizer, ["lr"] = LearningRate, ["momentum"] = Momentum, ["batch"] = BatchSize, ["steps"] = Steps,
        ["measure"] = Measure, ["measure_every"] = MeasureEvery, ["stop_loss"] = StopLoss, ["checkpoint_every"] = CheckpointEvery,
        ["checkpoint_minutes"] = CheckpointMinutes, ["keep_checkpoints"] = KeepCheckpoints, ["dtype"] = "f32", ["threads"] = threads,
    };

    /// <summary>Reads a stored config; missing keys take their defaults, a key of the wrong type is an error naming it.</summary>
    public static TrainingConfig FromJson(JsonObject json)
    {
        ArgumentNullException.ThrowIfNull(json);
        var d = new TrainingConfig();
        return new TrainingConfig
        {
            Dataset = Get(json, "dataset", d.Dataset),
            NumData = Get(json, "num_data", d.NumData),
            DatasetSeed = Get(json, "dataset_seed", d.DatasetSeed),
            Model = Get(json, "model", d.Model),
            InitScale = Get(json, "init_scale", d.InitScale),
            InitSeed = Get(json, "init_seed", d.InitSeed),
            OrderSeed = Get(json, "order_seed", d.OrderSeed),
            Loss = Get(json, "loss", d.Loss),
            Optimizer = Get(json, "optimizer", d.Optimizer),
            LearningRate = Get(json, "lr", d.LearningRate),
            Momentum = Get(json, "momentum", d.Momentum),
            BatchSize = Get(json, "batch", d.BatchSize),
            Steps = Get(json, "steps", d.Steps),
            Measure = Get(json, "measure", d.Measure),
            MeasureEvery = Get(json, "measure_every", d.MeasureEvery),
            StopLoss = json["stop_loss"] is null ? null : Get(json, "stop_loss", 0.0),
            CheckpointEvery = Get(json, "checkpoint_every", d.CheckpointEvery),
            CheckpointMinutes = Get(json, "checkpoint_minutes", d.CheckpointMinutes),
            KeepCheckpoints = Get(json, "keep_checkpoints", d.KeepCheckpoints),
        };
    }

    private static T Get<T>(JsonObject json, string key, T fallback)
    {
        if (json[key] is not JsonValue value) return fallback;
        try
        {
            return value.GetValue<T>();
        }
        catch (Exception e) when (e is FormatException or InvalidOperationException)
        {
            throw new InvalidDataException($"the stored config's '{key}' is {value.ToJsonString()}, not a {typeof(T).Name.ToLower(CultureInfo.InvariantCulture)}", e);
        }
    }
}
