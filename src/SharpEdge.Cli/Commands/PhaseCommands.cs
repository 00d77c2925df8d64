using System.CommandLine;
using System.Diagnostics;
using System.Text.Json.Nodes;
using SharpEdge.Gpu;
using SharpEdge.Runs;
using SharpEdge.TeacherStudent;

namespace SharpEdge.Cli.Commands;

/// <summary><c>phase train</c>: the teacher-student SGD ensemble of one (lr, eps) cell (phase_ml_spec §1–§3).</summary>
public static class PhaseCommands
{
    public static Command Create()
    {
        var command = new Command("phase", "Teacher-student SGD phase diagram (phase_ml, arXiv:2509.01349).");
        command.Subcommands.Add(Train());
        command.Subcommands.Add(Sweep());
        command.Subcommands.Add(PhaseAnalyzeCommand.Create());
        return command;
    }

    /// <summary>The generate.py parameters shared by <c>phase train</c> and <c>phase sweep</c> (all but lr and eps).</summary>
    private sealed class ModelOptions
    {
        private static readonly TeacherStudentConfig Defaults = new();
        public readonly Option<int> Seeds = new("--seeds") { Description = "models per cell", DefaultValueFactory = _ => 10 };
        public readonly Option<long> Seed = new("--seed") { Description = "base seed; model i's seed is derived from (seed, lr, eps, i) and recorded", DefaultValueFactory = _ => 0 };
        public readonly Option<int> Epochs = new("--epochs") { Description = "passes over the training set (≤ 20, or a multiple of 20: phase_ml_spec §3.2)", DefaultValueFactory = _ => Defaults.Epochs };
        public readonly Option<string> Actf = new("--actf") { Description = "activation: tanh, relu or identity", DefaultValueFactory = _ => "tanh" };
        public readonly Option<int> Ratio = new("--r") { Description = "first hidden width L = r·K", DefaultValueFactory = _ => Defaults.Ratio };
        public readonly Option<int> Hidden = new("--K") { Description = "second hidden width K", DefaultValueFactory = _ => Defaults.HiddenUnits };
        public readonly Option<int> Batch = new("--bs") { Description = "batch size |B|", DefaultValueFactory = _ => Defaults.BatchSize };
        public readonly Option<int> Batches = new("--batches") { Description = "batches per epoch (data size = bs·batches)", DefaultValueFactory = _ => Defaults.BatchCount };
        public readonly Option<int> Dim = new("--dim") { Description = "input dimension D", DefaultValueFactory = _ => Defaults.InputDim };
        public readonly Option<double> MMu = new("--M_mu") { DefaultValueFactory = _ => Defaults.FirstLayerMean, Description = "mean of the frozen first layer M" };
        public readonly Option<double> MSig = new("--M_sig") { DefaultValueFactory = _ => Defaults.FirstLayerWidth, Description = "width of M: N(M_mu, (M_sig/√D)²)" };
        public readonly Option<double> WMu = new("--W_mu") { DefaultValueFactory = _ => Defaults.TeacherMean, Description = "mean of the teacher W" };
        public readonly Option<double> WSig = new("--W_sig") { DefaultValueFactory = _ => Defaults.TeacherWidth, Description = "width of W: N(W_mu, (W_sig/√L)²)" };
        public readonly Option<double> ZMu = new("--Z_mu") { DefaultValueFactory = _ => Defaults.ReadoutMean, Description = "mean of the frozen read-out Z" };
        public readonly Option<double> ZSig = new("--Z_sig") { DefaultValueFactory = _ => Defaults.ReadoutWidth, Description = "width of Z: N(Z_mu, (Z_sig/√K)²)" };
        public readonly Option<string> Output = new("--out") { Description = "output root; a cell goes to OUT/r{r}K{K}/r{r}K{K}_{actf}_lr{lr}_bs{bs}_eps{eps}/data.npz", Required = true };
        public readonly Option<string?> Results = new("--results") { Description = "run store folder (default $SHARPEDGE_RESULTS or ./results)" };
        public readonly Option<string> Device = new("--device")
        {
            Description = "where to train: cuda (the ILGPU ensemble kernel on the first CUDA GPU), cpu (the SIMD trainer), or auto (CUDA when present, else the CPU)",
            DefaultValueFactory = _ => "auto",
        };

        /// <summary>These options as <c>phase train</c> flags (a sweep's fixed arguments).</summary>
        public IReadOnlyList<(string Flag, string Value)> Flags(ParseResult parse)
        {
            static string I(long v) => v.ToString(System.Globalization.CultureInfo.InvariantCulture);
            static string D(double v) => v.ToString("R", System.Globalization.CultureInfo.InvariantCulture);
            return
            [
                (Seeds.Name, I(parse.GetValue(Seeds))), (Seed.Name, I(parse.GetValue(Seed))), (Epochs.Name, I(parse.GetValue(Epochs))), (Actf.Name, parse.GetValue(Actf)!),
                (Ratio.Name, I(parse.GetValue(Ratio))), (Hidden.Name, I(parse.GetValue(Hidden))), (Batch.Name, I(parse.GetValue(Batch))), (Batches.Name, I(parse.GetValue(Batches))),
                (Dim.Name, I(parse.GetValue(Dim))), (MMu.Name, D(parse.GetValue(MMu))), (MSig.Name, D(parse.GetValue(MSig))), (WMu.Name, D(parse.GetValue(WMu))),
                (WSig.Name, D(parse.GetValue(WSig))), (ZMu.Name, D(parse.GetValue(ZMu))), (ZSig.Name, D(parse.GetValue(ZSig))),
            ];
        }

        public void AddTo(Command command)
        {
            foreach (var option in new Option[] { Seeds, Seed, Epochs, Actf, Ratio, Hidden, Batch, Batches, Dim, MMu, MSig, WMu, WSig, ZMu, ZSig, Output, Results, Device })
                command.Options.Add(option);
        }

        public DeviceChoice DeviceChoice(ParseResult parse) => parse.GetValue(Device) switch
        {
            "auto" => Gpu.DeviceChoice.Auto,
            "cpu" => Gpu.DeviceChoice.Cpu,
            "cuda" => Gpu.DeviceChoice.Cuda,
            var other => throw new ArgumentException($"--device: '{other}' is not auto, cpu or cuda"),
        };

        public TeacherStudentConfig Config(ParseResult parse, double lr, double eps)
        {
            var config = new TeacherStudentConfig
            {
                LearningRate = lr, StudentWidth = eps, Epochs = parse.GetValue(Epochs),
                Activation = ActivationFunctions.Parse(parse.GetValue(Actf)!), Ratio = parse.GetValue(Ratio), HiddenUnits = parse.GetValue(Hidden),
                BatchSize = parse.GetValue(Batch), BatchCount = parse.GetValue(Batches), InputDim = parse.GetValue(Dim),
                FirstLayerMean = parse.GetValue(MMu), FirstLayerWidth = parse.GetValue(MSig), TeacherMean = parse.GetValue(WMu),
                TeacherWidth = parse.GetValue(WSig), ReadoutMean = parse.GetValue(ZMu), ReadoutWidth = parse.GetValue(ZSig),
            };
            var problems = config.Problems();
            if (problems.Count > 0) throw new ArgumentException(string.Join("; ", problems));
            if (parse.GetValue(Seeds) < 1) throw new ArgumentException($"--seeds must be positive, got {parse.GetValue(Seeds)}");
            return config;
        }
    }

    private static Command Train()
    {
        var defaults = new TeacherStudentConfig();
        var lr = new Option<double>("--lr") { Description = "learning rate ε", DefaultValueFactory = _ => defaults.LearningRate };
        var eps = new Option<double>("--eps", "--Wp_sig") { Description = "student init width σ_W: Wp ~ N(0, (eps/√L)²)", DefaultValueFactory = _ => defaults.StudentWidth };
        var firstSeed = new Option<int>("--first-seed-index") { Description = "index of the first model: add models to a cell later without recomputing the others", DefaultValueFactory = _ => 0 };
        var format = new Option<string>("--format") { Description = "npz (plain arrays) or phase_ml (the original's pickled arr_0)", DefaultValueFactory = _ => "npz" }.AcceptOnlyFromAmong("npz", "phase_ml");
        var threads = CommonOptions.Threads();
        var json = CommonOptions.Json();
        var model = new ModelOptions();
        var command = new Command("train", "Train the models of one (lr, eps) cell and write its data.npz.") { lr, eps, firstSeed, format, threads, json };
        model.AddTo(command);
        command.SetAction(parse =>
        {
            var config = model.Config(parse, parse.GetValue(lr), parse.GetValue(eps));
            int first = parse.GetValue(firstSeed);
            if (first < 0) throw new ArgumentException($"--first-seed-index must not be negative, got {first}");
            using var device = PhaseDevice.Open(model.DeviceChoice(parse), "phase train");
            using var store = RunStore.Open(parse.GetValue(model.Results));
            var cell = TrainCells([config], parse.GetValue(model.Seed), first, parse.GetValue(model.Seeds), parse.GetValue(model.Output)!,
                parse.GetValue(format) == "phase_ml" ? OutputFormat.PhaseMl : OutputFormat.Npz, store, "phase train", device).Single();
            if (parse.GetValue(json))
                CommandRunner.WriteJson(new { path = cell.Path, run = cell.RunId, temperature = config.Temperature, seeds = cell.Seeds, diverged = cell.Diverged, seconds = cell.Seconds, device = PhaseDevice.Kind(device) });
        });
        return command;
    }

    private sealed record CellResult(string Path, long RunId, long[] Seeds, int Diverged, double Seconds);

    /// <summary>
    /// Trains cells on <paramref name="device"/> (null: the CPU trainer on all compute threads, one cell after the
    /// other), writes each atomically and records each as a run of the run store, the device included. On a device
    /// all cells' models train in one ensemble (cells differ only in lr and eps), which is what keeps a GPU busy.
    /// </summary>
    private static List<CellResult> TrainCells(IReadOnlyList<TeacherStudentConfig> configs, long baseSeed, int first, int count, string root, OutputFormat format,
        RunStore store, string label, GpuDevice? device)
    {
        var workers = Numerics.Parallelism.Threads;
        var seeds = configs.Select(config => CellSeeds.Derive(config, baseSeed, first, count)).ToList();
        var where = device is null ? $"{workers} threads" : device.Description;
        foreach (var config in configs)
            CommandRunner.Log($"{label}: lr={config.LearningRate} eps={config.StudentWidth} T=lr/bs={config.Temperature:G6} {config.Activation.Name()} " +
                              $"r={config.Ratio} K={config.HiddenUnits} bs={config.BatchSize} {count} models × {config.Epochs} epochs × {config.BatchCount} steps, {where}");
        var runIds = configs.Select((config, i) => CreateRun(store, config, seeds[i], root, device)).ToList();
        var clock = Stopwatch.StartNew();
        int finished = 0;
        try
        {
            var progress = new ProgressLine(label);
            void Report(TrainingProgress p) => progress.Report(p.Fraction, p.EstimatedRemaining, $"{p.SeedsDone}/{p.SeedsTotal} models");
            var trained = device is null
                ? configs.Select((config, i) => TeacherStudentTrainer.TrainCell(config, seeds[i], workers, Report)).ToList()
                : EnsembleTrainer.Train(device, configs.SelectMany((config, i) => seeds[i].Select(seed => new EnsembleMember(config, seed))).ToList(), progress: Report)
                    .Chunk(count).ToList();
            progress.Done();
            var results = new List<CellResult>();
            for (; finished < configs.Count; finished++)
            {
                var (config, cell) = (configs[finished], trained[finished]);
                var path = format == OutputFormat.PhaseMl ? PhaseOutput.Write(root, config, cell, OutputFormat.PhaseMl)
                    : first == 0 && !File.Exists(Path.Combine(PhaseOutput.CellDirectory(root, config), "data.npz")) ? PhaseOutput.Write(root, config, cell, OutputFormat.Npz)
                    : PhaseOutput.AddSeeds(root, config, cell);
                var diverged = cell.Count(r => r.History.DivergedAtEpoch is not null);
                store.AppendMetrics(runIds[finished], [new MetricRow(0, null, "diverged_models", diverged), new MetricRow(0, null, "models", cell.Length)]);
                store.Finish(runIds[finished], RunStatus.Finished, clock.Elapsed.TotalSeconds);
                CommandRunner.Log($"{label}: lr={config.LearningRate} eps={config.StudentWidth}: {diverged} of {cell.Length} models diverged; wrote {path}");
                results.Add(new CellResult(path, runIds[finished], seeds[finished], diverged, clock.Elapsed.TotalSeconds));
            }
            var steps = configs.Sum(config => (double)config.StepsPerModel * count);
            CommandRunner.Log($"{label}: {configs.Count * count} models in {clock.Elapsed.TotalSeconds:F1} s " +
                              (device is null ? $"({clock.Elapsed.TotalSeconds * 1e6 / steps * workers:F3} µs per model-step per thread)" : $"({steps / clock.Elapsed.TotalSeconds:G3} model-steps/s)"));
            return results;
        }
        catch (Exception e)
        {
            for (int i = finished; i < runIds.Count; i++) store.Finish(runIds[i], RunStatus.Failed, clock.Elapsed.TotalSeconds, e.Message);
            throw;
        }
    }

    private static long CreateRun(RunStore store, TeacherStudentConfig config, long[] cellSeeds, string root, GpuDevice? device) => store.CreateRun(new RunRecord
    {
        Name = PhaseOutput.CellDirectoryName(config), Kind = "phase", Status = RunStatus.Running,
        Config = new JsonObject
        {
            ["lr"] = config.LearningRate, ["eps"] = config.StudentWidth, ["temperature"] = config.Temperature, ["epochs"] = config.Epochs,
            ["actf"] = config.Activation.Name(), ["r"] = config.Ratio, ["K"] = config.HiddenUnits, ["bs"] = config.BatchSize,
            ["batches"] = config.BatchCount, ["dim"] = config.InputDim, ["seeds"] = new JsonArray(cellSeeds.Select(s => (JsonNode)s).ToArray()),
            ["M_mu"] = config.FirstLayerMean, ["M_sig"] = config.FirstLayerWidth, ["W_mu"] = config.TeacherMean, ["W_sig"] = config.TeacherWidth,
            ["Z_mu"] = config.ReadoutMean, ["Z_sig"] = config.ReadoutWidth, ["out"] = Path.GetFullPath(root),
            ["device"] = PhaseDevice.Kind(device), ["device_name"] = PhaseDevice.Name(device),
        },
        CodeVersion = CodeVersion.Current, Folder = PhaseOutput.CellDirectory(Path.GetFullPath(root), config),
    });

    /// <summary>The paper's grid (phase_ml_spec §4): 0.125·2^j for j = 0…11, for both lr and eps.</summary>
    private const string PaperGrid = "256,128,64,32,16,8,4,2,1,0.5,0.25,0.125";

    private static Command Sweep()
    {
        var lrs = new Option<string>("--lrs") { Description = "learning rates, comma-separated", DefaultValueFactory = _ => PaperGrid };
        var epss = new Option<string>("--epss") { Description = "student init widths eps, comma-separated", DefaultValueFactory = _ => PaperGrid };
        var overwrite = new Option<bool>("--overwrite") { Description = "retrain cells that already have a data.npz" };
        var threads = new Option<int?>("--threads") { Description = "CPU: compute threads of each cell's process; its models run in parallel (default: cores / workers, else 1)" };
        var workers = new Option<int?>("--workers") { Description = "CPU: cells trained at once, each in a process of its own (default: cores / threads)" };
        var json = CommonOptions.Json();
        var model = new ModelOptions();
        var command = new Command("sweep",
            "Train every (lr, eps) cell of a grid (the paper's 12×12 by default) as tasks of a local sweep (`sharpedge sweep status phase-sweep-…`); " +
            "finished cells are skipped, so a killed sweep resumes where it stopped. On CUDA (--device) all cells to train run as one ensemble " +
            "in this process instead, each cell still written and recorded as a run.")
        {
            lrs, epss, overwrite, threads, workers, json,
        };
        model.AddTo(command);
        command.SetAction(parse =>
        {
            var lrValues = ParseGrid(parse.GetValue(lrs)!, "--lrs");
            var epsValues = ParseGrid(parse.GetValue(epss)!, "--epss");
            var root = parse.GetValue(model.Output)!;
            var cells = lrValues.SelectMany(lr => epsValues.Select(eps => model.Config(parse, lr, eps))).ToList();
            using var store = RunStore.Open(parse.GetValue(model.Results));
            var report = new Dictionary<(double, double), object>();
            var clock = Stopwatch.StartNew();
            var toTrain = new List<(double, double)>();
            foreach (var config in cells)
            {
                var existing = Path.Combine(PhaseOutput.CellDirectory(root, config), "data.npz");
                if (File.Exists(existing) && !parse.GetValue(overwrite))
                {
                    CheckSameParameters(existing, config, parse.GetValue(model.Seeds));
                    report[(config.LearningRate, config.StudentWidth)] = new { lr = config.LearningRate, eps = config.StudentWidth, path = existing, skipped = true };
                    continue;
                }
                if (File.Exists(existing)) File.Delete(existing);
                toTrain.Add((config.LearningRate, config.StudentWidth));
            }
            int skipped = report.Count;
            using var device = toTrain.Count == 0 ? null : PhaseDevice.Open(model.DeviceChoice(parse), "phase sweep");
            var trained = device is null
                ? PhaseSweepFrontEnd.Train(store, ResultsFolder.Resolve(parse.GetValue(model.Results)), root, model.Flags(parse).Append((model.Device.Name, "cpu")).ToList(),
                    toTrain, parse.GetValue(workers), parse.GetValue(threads))
                : TrainCells(toTrain.Select(cell => model.Config(parse, cell.Item1, cell.Item2)).ToList(), parse.GetValue(model.Seed), 0, parse.GetValue(model.Seeds), root,
                        OutputFormat.Npz, store, "phase sweep", device)
                    .Zip(toTrain, (cell, axes) => new PhaseSweepFrontEnd.TrainedCell(axes.Item1, axes.Item2, cell.Path, cell.Diverged, cell.Seconds)).ToList();
            foreach (var c in trained)
                report[(c.LearningRate, c.StudentWidth)] = new { lr = c.LearningRate, eps = c.StudentWidth, path = c.Path, skipped = false, diverged = c.Diverged, seconds = c.Seconds };
            int done = trained.Count;
            CommandRunner.Log($"phase sweep: {done} cell(s) trained, {skipped} skipped, in {clock.Elapsed.TotalSeconds:F1} s");
            if (parse.GetValue(json))
                CommandRunner.WriteJson(new { cells = cells.Select(c => report[(c.LearningRate, c.StudentWidth)]), trained = done, skipped, seconds = clock.Elapsed.TotalSeconds });
        });
        return command;
    }

    private static double[] ParseGrid(string text, string option)
    {
        var values = text.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
            .Select(t => double.TryParse(t, System.Globalization.NumberStyles.Float, System.Globalization.CultureInfo.InvariantCulture, out var v) && v > 0 && double.IsFinite(v)
                ? v : throw new ArgumentException($"{option}: '{t}' is not a positive number")).ToArray();
        if (values.Length == 0) throw new ArgumentException($"{option}: no values");
        if (values.Distinct().Count() != values.Length) throw new ArgumentException($"{option}: repeated values");
        return values;
    }

    /// <summary>A sweep folder must not mix cells trained with other parameters (a finished cell is skipped only if it matches).</summary>
    private static void CheckSameParameters(string path, TeacherStudentConfig config, int seeds)
    {
        var arrays = Numerics.Io.Npz.Read(path);
        double Scalar(string key) => arrays.TryGetValue(key, out var a) ? a.AsFloat64()[0] : double.NaN;
        var mismatches = new List<string>();
        if (Scalar("epochs") != config.Epochs) mismatches.Add($"epochs {Scalar("epochs")} ≠ {config.Epochs}");
        if (Scalar("bs") != config.BatchSize) mismatches.Add($"bs {Scalar("bs")} ≠ {config.BatchSize}");
        if (Scalar("n_batches") != config.BatchCount) mismatches.Add($"batches {Scalar("n_batches")} ≠ {config.BatchCount}");
        var stored = arrays.TryGetValue("seeds", out var s) ? s.Shape[0] : 0;
        if (stored < seeds) mismatches.Add($"{stored} models < --seeds {seeds}");
        if (mismatches.Count > 0)
            throw new ArgumentException($"{path}: existing cell was trained with other parameters ({string.Join(", ", mismatches)}); use another --out or --overwrite");
    }
}
