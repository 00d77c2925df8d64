using System.Globalization;
using System.Text.Json.Nodes;

namespace SharpEdge.Training;

/// <summary>
/// Everything that defines a training run (eoss_spec §2, §9): data, model, initialisation, optimiser, step
/// count, noisy GD or the SDE (§10.1, §10.2), quadratic dynamics or projected SGD (§10.3, §10.4), measurements and
/// evaluations with their cadences, the trajectory projection and <c>--final</c> (§7.17, §7.18), stop loss and the
/// checkpoint policy. Stored as the run's config in the run store (<see cref="ToJson"/>), from which a resumed run
/// rebuilds it (<see cref="FromJson"/>).
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
    /// <summary>
    /// Samples of the full-data objective of curvature measurements (<c>--curvature-subset</c>): each measurement step
    /// draws this many without replacement, afresh, from its step's seed (the original's λ_max subset, explicit); 0 = all.
    /// </summary>
    public int CurvatureSubset { get; init; }
    /// <summary>Relative residual tolerance of the Hessian eigensolves of measurements (<c>--eig-tol</c>); null = the float32 default 10⁻⁴.</summary>
    public double? EigenTolerance { get; init; }
    /// <summary>Stop once the mean batch loss of an epoch falls below this (eoss_spec §9.4).</summary>
    public double? StopLoss { get; init; }
    /// <summary>
    /// Noisy GD (eoss_spec §10.1, <c>--gd-noise</c>): every step takes the full-data gradient plus Gaussian noise whose
    /// covariance follows this model (<see cref="GradientNoise"/>: sgd, diag, iso, const); null trains on minibatches.
    /// </summary>
    public string? GdNoise { get; init; }
    /// <summary>Multiplier of the noise's standard deviation (<c>--noise-mag</c>; const: its σ·√b); 0 leaves plain GD (noisy GD) or gradient flow (SDE).</summary>
    public double NoiseMagnitude { get; init; } = 1;
    /// <summary>diag and iso: the per-sample gradient variances are recomputed at steps that are multiples of this (HEAD: 30, the seed: 10).</summary>
    public int NoiseRefresh { get; init; } = 1;
    /// <summary>Seed of the noise generator of noisy GD and the SDE (the original's <c>--sde-seed</c>, 888); its state is in every checkpoint.</summary>
    public ulong NoiseSeed { get; init; } = 888;
    /// <summary>The SDE baseline (eoss_spec §10.2, <c>--sde</c>): each step integrates dθ = −∇L dt + √η Σ^{1/2}/√b dW over time η by Euler–Maruyama.</summary>
    public bool Sde { get; init; }
    /// <summary>The Euler–Maruyama sub-step h (<c>--sde-h</c>); a step of time η takes ⌈η/h⌉ sub-steps of η/⌈η/h⌉.</summary>
    public double SdeH { get; init; } = 0.01;
    /// <summary>The SDE's η (<c>--sde-eta</c>): the time per step and the diffusion's scale; null means the learning rate.</summary>
    public double? SdeEta { get; init; }
    /// <summary>Cadence of the full-data training loss and accuracy (<c>full_loss</c>, <c>full_accuracy</c>); empty means never.</summary>
    public string FullLossEvery { get; init; } = "";
    /// <summary>Cadence of the test-split loss and accuracy (<c>test_loss</c>, <c>test_accuracy</c>); empty means never.</summary>
    public string TestEvery { get; init; } = "";
    /// <summary>
    /// Quadratic dynamics (eoss_spec §10.3, <c>--quad-switch-step</c>): from this step s on, SGD on the second-order Taylor
    /// model of each batch loss around θ_s (<see cref="QuadraticDynamics"/>); null trains on the loss itself.
    /// </summary>
    public long? QuadSwitchStep { get; init; }
    /// <summary>The step size on the model (<c>--quad-switch-lr</c>); null means the learning rate.</summary>
    public double? QuadSwitchLr { get; init; }
    /// <summary>The model's curvature is the Gauss–Newton matrix instead of the Hessian (the original's <c>--use-gauss-newton</c>).</summary>
    public bool QuadGaussNewton { get; init; }
    /// <summary>Cadence of <c>quadratic_loss</c>, the model's full-data loss (HEAD: every step).</summary>
    public string QuadLossEvery { get; init; } = "1";
    /// <summary>Projected SGD (eoss_spec §10.4, <c>--proj-switch-step</c>): from this step on, each update is projected on the top-l Hessian eigenspace.</summary>
    public long? ProjSwitchStep { get; init; }
    /// <summary>l, the number of top eigenvectors projected on (<c>--proj-top-l</c>).</summary>
    public int ProjTopL { get; init; }
    /// <summary>Keep the part of each update orthogonal to the top-l eigenspace instead (<c>--proj-to-residual</c>).</summary>
    public bool ProjToResidual { get; init; }
    /// <summary>Cadence at which the eigenvectors are solved again after the switch (HEAD: every step).</summary>
    public string ProjRefresh { get; init; } = "1";
    /// <summary>Cadence of the trajectory projection Pθ (<c>--save-trajectory</c>, eoss_spec §7.17; HEAD every 32 steps); empty means off.</summary>
    public string TrajectoryEvery { get; init; } = "";
    /// <summary>
    /// <c>--final</c> (eoss_spec §7.18): λ_max and batch sharpness are also taken at the last step (with the full loss and
    /// accuracy), and final.json gets every value of that step.
    /// </summary>
    public bool Final { get; init; }
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
        if (CurvatureSubset < 0) throw new ArgumentException($"--curvature-subset must be ≥ 0 (0 = all samples), got {CurvatureSubset}");
        if (CurvatureSubset > 0 && CurvatureSubset < BatchSize) throw new ArgumentException($"--curvature-subset {CurvatureSubset} is smaller than the batch {BatchSize}");
        if (EigenTolerance is { } tol && (!(tol > 0) || !(tol < 1))) throw new ArgumentException($"--eig-tol must be in (0, 1), got {tol}");
        if (CheckpointEvery < 1) throw new ArgumentException($"--checkpoint-every must be positive, got {CheckpointEvery}");
        if (!(CheckpointMinutes >= 0) || !double.IsFinite(CheckpointMinutes)) throw new ArgumentException($"--checkpoint-minutes must be finite and ≥ 0, got {CheckpointMinutes}");
        if (KeepCheckpoints < 0) throw new ArgumentException($"--keep-checkpoints must be ≥ 0 (0 keeps all), got {KeepCheckpoints}");
        if (!(Momentum >= 0 && Momentum < 1)) throw new ArgumentException($"--momentum must be in [0, 1), got {Momentum}");
        if (StopLoss is { } stop && !double.IsFinite(stop)) throw new ArgumentException($"--stop-loss must be finite, got {stop}");
        if (Loss is not ("mse" or "ce")) throw new ArgumentException($"--loss must be mse or ce, got '{Loss}'");
        if (GdNoise is not null) GradientNoise.ParseModel(GdNoise);
        if (!(NoiseMagnitude >= 0) || !double.IsFinite(NoiseMagnitude)) throw new ArgumentException($"--noise-mag must be finite and ≥ 0, got {NoiseMagnitude}");
        if (NoiseRefresh < 1) throw new ArgumentException($"--noise-refresh must be positive, got {NoiseRefresh}");
        if (Sde)
        {
            if (GdNoise is not null) throw new ArgumentException("--sde and --gd-noise exclude each other (as in the original): the SDE's diffusion is the SGD noise");
            if (Optimizer != "sgd" || Momentum != 0) throw new ArgumentException($"--sde integrates θ directly (no optimizer, as the original); --optimizer must be sgd without --momentum, got {Optimizer}");
            if (!(SdeH > 0) || !double.IsFinite(SdeH)) throw new ArgumentException($"--sde-h must be positive and finite, got {SdeH}");
            if (SdeEta is { } eta && (!(eta > 0) || !double.IsFinite(eta))) throw new ArgumentException($"--sde-eta must be positive and finite, got {eta}");
            if (SdeH > SdeTime * (1 + 1e-12)) throw new ArgumentException($"--sde-h {SdeH} exceeds the time per step η = {SdeTime} (--sde-eta, default --lr)");
        }
        ValidateSwitches();
        if (TrajectoryEvery.Length > 0) MeasurementCadence.Parse(TrajectoryEvery, "--trajectory-every", TrajectoryFolder.HeadRule);
    }

    private void ValidateSwitches()
    {
        string[] modes = [.. new[] { (GdNoise is not null, "--gd-noise"), (Sde, "--sde"), (QuadSwitchStep is not null, "--quad-switch-step"), (ProjSwitchStep is not null, "--proj-switch-step") }
            .Where(m => m.Item1).Select(m => m.Item2)];
        if (modes.Length > 1) throw new ArgumentException($"{string.Join(" and ", modes)} exclude each other (at most one training mode, as in the original)");
        if (QuadSwitchStep is { } quad)
        {
            if (quad < 0) throw new ArgumentException($"--quad-switch-step must be ≥ 0, got {quad}");
            if (QuadSwitchLr is { } lr && (!(lr > 0) || !double.IsFinite(lr))) throw new ArgumentException($"--quad-switch-lr must be positive and finite, got {lr}");
            if (Optimizer != "sgd" || Momentum != 0)
                throw new ArgumentException($"--quad-switch-step descends the Taylor model by plain steps of η (as the original, which ignores the optimiser after the switch); --optimizer must be sgd without --momentum, got {Optimizer}{(Momentum != 0 ? $" with momentum {Momentum}" : "")}");
            MeasurementCadence.Parse(QuadLossEvery, "--quad-loss-every", head: null);
        }
        else if (QuadSwitchLr is not null || QuadGaussNewton)
            throw new ArgumentException($"{(QuadSwitchLr is not null ? "--quad-switch-lr" : "--quad-gauss-newton")} needs --quad-switch-step");
        if (ProjSwitchStep is { } proj)
        {
            if (proj < 0) throw new ArgumentException($"--proj-switch-step must be ≥ 0, got {proj}");
            if (ProjTopL < 1) throw new ArgumentException($"--proj-switch-step needs --proj-top-l l ≥ 1, the number of top Hessian eigenvectors to project on (got {ProjTopL})");
            if (Optimizer != "sgd" || Momentum != 0)
                throw new ArgumentException($"projected SGD is plain SGD only (as the original): --optimizer must be sgd without --momentum, got {Optimizer}{(Momentum != 0 ? $" with momentum {Momentum}" : "")}");
            MeasurementCadence.Parse(ProjRefresh, "--proj-refresh", head: null);
        }
        else if (ProjTopL != 0 || ProjToResidual)
            throw new ArgumentException($"{(ProjTopL != 0 ? "--proj-top-l" : "--proj-to-residual")} needs --proj-switch-step (projection needs both, as in the original)");
    }

    /// <summary>The step size of quadratic dynamics: <see cref="QuadSwitchLr"/>, else the learning rate.</summary>
    public double QuadLearningRate => QuadSwitchLr ?? LearningRate;

    /// <summary>Whether a step uses the full data (noisy GD, SDE) rather than a minibatch.</summary>
    public bool FullBatch => GdNoise is not null || Sde;

    /// <summary>The SDE's time per step η: <see cref="SdeEta"/>, else the learning rate.</summary>
    public double SdeTime => SdeEta ?? LearningRate;

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
        ["measure"] = Measure, ["measure_every"] = MeasureEvery, ["curvature_subset"] = CurvatureSubset, ["eig_tol"] = EigenTolerance, ["stop_loss"] = StopLoss, ["checkpoint_every"] = CheckpointEvery,
        ["checkpoint_minutes"] = CheckpointMinutes, ["keep_checkpoints"] = KeepCheckpoints, ["gd_noise"] = GdNoise, ["noise_mag"] = NoiseMagnitude,
        ["noise_refresh"] = NoiseRefresh, ["noise_seed"] = NoiseSeed, ["sde"] = Sde, ["sde_h"] = SdeH, ["sde_eta"] = SdeEta,
        ["full_loss_every"] = FullLossEvery, ["test_every"] = TestEvery, ["quad_switch_step"] = QuadSwitchStep, ["quad_switch_lr"] = QuadSwitchLr,
        ["quad_gauss_newton"] = QuadGaussNewton, ["quad_loss_every"] = QuadLossEvery, ["proj_switch_step"] = ProjSwitchStep, ["proj_top_l"] = ProjTopL,
        ["proj_to_residual"] = ProjToResidual, ["proj_refresh"] = ProjRefresh, ["trajectory_every"] = TrajectoryEvery, ["final"] = Final,
        ["dtype"] = "f32", ["threads"] = threads,
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
            CurvatureSubset = Get(json, "curvature_subset", d.CurvatureSubset),
            EigenTolerance = json["eig_tol"] is null ? null : Get(json, "eig_tol", 0.0),
            StopLoss = json["stop_loss"] is null ? null : Get(json, "stop_loss", 0.0),
            CheckpointEvery = Get(json, "checkpoint_every", d.CheckpointEvery),
            CheckpointMinutes = Get(json, "checkpoint_minutes", d.CheckpointMinutes),
            KeepCheckpoints = Get(json, "keep_checkpoints", d.KeepCheckpoints),
            GdNoise = json["gd_noise"] is null ? null : Get(json, "gd_noise", ""),
            NoiseMagnitude = Get(json, "noise_mag", d.NoiseMagnitude),
            NoiseRefresh = Get(json, "noise_refresh", d.NoiseRefresh),
            NoiseSeed = Get(json, "noise_seed", d.NoiseSeed),
            Sde = Get(json, "sde", d.Sde),
            SdeH = Get(json, "sde_h", d.SdeH),
            SdeEta = json["sde_eta"] is null ? null : Get(json, "sde_eta", 0.0),
            FullLossEvery = Get(json, "full_loss_every", d.FullLossEvery),
            TestEvery = Get(json, "test_every", d.TestEvery),
            QuadSwitchStep = json["quad_switch_step"] is null ? null : Get(json, "quad_switch_step", 0L),
            QuadSwitchLr = json["quad_switch_lr"] is null ? null : Get(json, "quad_switch_lr", 0.0),
            QuadGaussNewton = Get(json, "quad_gauss_newton", d.QuadGaussNewton),
            QuadLossEvery = Get(json, "quad_loss_every", d.QuadLossEvery),
            ProjSwitchStep = json["proj_switch_step"] is null ? null : Get(json, "proj_switch_step", 0L),
            ProjTopL = Get(json, "proj_top_l", d.ProjTopL),
            ProjToResidual = Get(json, "proj_to_residual", d.ProjToResidual),
            ProjRefresh = Get(json, "proj_refresh", d.ProjRefresh),
            TrajectoryEvery = Get(json, "trajectory_every", d.TrajectoryEvery),
            Final = Get(json, "final", d.Final),
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
