using System.CommandLine;
using System.Diagnostics;
using System.Text.Json.Nodes;
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
        return command;
    }

    private static Command Train()
    {
        var defaults = new TeacherStudentConfig();
        var lr = new Option<double>("--lr") { Description = "learning rate ε", DefaultValueFactory = _ => defaults.LearningRate };
        var eps = new Option<double>("--eps", "--Wp_sig") { Description = "student init width σ_W: Wp ~ N(0, (eps/√L)²)", DefaultValueFactory = _ => defaults.StudentWidth };
        var seeds = new Option<int>("--seeds") { Description = "models in the cell", DefaultValueFactory = _ => 10 };
        var seed = new Option<long>("--seed") { Description = "base seed; model i's seed is derived from (seed, lr, eps, i) and recorded", DefaultValueFactory = _ => 0 };
        var firstSeed = new Option<int>("--first-seed-index") { Description = "index of the first model: add models to a cell later without recomputing the others", DefaultValueFactory = _ => 0 };
        var epochs = new Option<int>("--epochs") { Description = "passes over the training set (≤ 20, or a multiple of 20: phase_ml_spec §3.2)", DefaultValueFactory = _ => defaults.Epochs };
        var actf = new Option<string>("--actf") { Description = "activation: tanh, relu or identity", DefaultValueFactory = _ => "tanh" };
        var ratio = new Option<int>("--r") { Description = "first hidden width L = r·K", DefaultValueFactory = _ => defaults.Ratio };
        var hidden = new Option<int>("--K") { Description = "second hidden width K", DefaultValueFactory = _ => defaults.HiddenUnits };
        var batch = new Option<int>("--bs") { Description = "batch size |B|", DefaultValueFactory = _ => defaults.BatchSize };
        var batches = new Option<int>("--batches") { Description = "batches per epoch (data size = bs·batches)", DefaultValueFactory = _ => defaults.BatchCount };
        var dim = new Option<int>("--dim") { Description = "input dimension D", DefaultValueFactory = _ => defaults.InputDim };
        var mMu = new Option<double>("--M_mu") { DefaultValueFactory = _ => defaults.FirstLayerMean, Description = "mean of the frozen first layer M" };
        var mSig = new Option<double>("--M_sig") { DefaultValueFactory = _ => defaults.FirstLayerWidth, Description = "width of M: N(M_mu, (M_sig/√D)²)" };
        var wMu = new Option<double>("--W_mu") { DefaultValueFactory = _ => defaults.TeacherMean, Description = "mean of the teacher W" };
        var wSig = new Option<double>("--W_sig") { DefaultValueFactory = _ => defaults.TeacherWidth, Description = "width of W: N(W_mu, (W_sig/√L)²)" };
        var zMu = new Option<double>("--Z_mu") { DefaultValueFactory = _ => defaults.ReadoutMean, Description = "mean of the frozen read-out Z" };
        var zSig = new Option<double>("--Z_sig") { DefaultValueFactory = _ => defaults.ReadoutWidth, Description = "width of Z: N(Z_mu, (Z_sig/√K)²)" };
        var output = new Option<string>("--out") { Description = "output root; the cell goes to OUT/r{r}K{K}/r{r}K{K}_{actf}_lr{lr}_bs{bs}_eps{eps}/data.npz", Required = true };
        var format = new Option<string>("--format") { Description = "npz (plain arrays) or phase_ml (the original's pickled arr_0)", DefaultValueFactory = _ => "npz" }.AcceptOnlyFromAmong("npz", "phase_ml");
        var results = new Option<string?>("--results") { Description = "run store folder (default $SHARPEDGE_RESULTS or ./results)" };
        var threads = CommonOptions.Threads();
        var json = CommonOptions.Json();
        var command = new Command("train", "Train the models of one (lr, eps) cell and write its data.npz.")
        {
            lr, eps, seeds, seed, firstSeed, epochs, actf, ratio, hidden, batch, batches, dim, mMu, mSig, wMu, wSig, zMu, zSig,
            output, format, results, threads, json,
        };
        command.SetAction(parse =>
        {
            var config = new TeacherStudentConfig
            {
                LearningRate = parse.GetValue(lr), StudentWidth = parse.GetValue(eps), Epochs = parse.GetValue(epochs),
                Activation = ActivationFunctions.Parse(parse.GetValue(actf)!), Ratio = parse.GetValue(ratio), HiddenUnits = parse.GetValue(hidden),
                BatchSize = parse.GetValue(batch), BatchCount = parse.GetValue(batches), InputDim = parse.GetValue(dim),
                FirstLayerMean = parse.GetValue(mMu), FirstLayerWidth = parse.GetValue(mSig), TeacherMean = parse.GetValue(wMu),
                TeacherWidth = parse.GetValue(wSig), ReadoutMean = parse.GetValue(zMu), ReadoutWidth = parse.GetValue(zSig),
            };
            var problems = config.Problems();
            if (problems.Count > 0) throw new ArgumentException(string.Join("; ", problems));
            int count = parse.GetValue(seeds), first = parse.GetValue(firstSeed);
            if (count < 1) throw new ArgumentException($"--seeds must be positive, got {count}");
            if (first < 0) throw new ArgumentException($"--first-seed-index must not be negative, got {first}");
            var root = parse.GetValue(output)!;
            var cellSeeds = CellSeeds.Derive(config, parse.GetValue(seed), first, count);
            var workers = Numerics.Parallelism.Threads;
            CommandRunner.Log($"phase train: lr={config.LearningRate} eps={config.StudentWidth} T=lr/bs={config.Temperature:G6} {config.Activation} " +
                              $"r={config.Ratio} K={config.HiddenUnits} bs={config.BatchSize} {count} models × {config.Epochs} epochs × {config.BatchCount} steps, {workers} threads");

            using var store = RunStore.Open(parse.GetValue(results));
            var runId = store.CreateRun(new RunRecord
            {
                Name = PhaseOutput.CellDirectoryName(config), Kind = "phase", Status = RunStatus.Running,
                Config = new JsonObject
                {
                    ["lr"] = config.LearningRate, ["eps"] = config.StudentWidth, ["temperature"] = config.Temperature, ["epochs"] = config.Epochs,
                    ["actf"] = parse.GetValue(actf), ["r"] = config.Ratio, ["K"] = config.HiddenUnits, ["bs"] = config.BatchSize,
                    ["batches"] = config.BatchCount, ["dim"] = config.InputDim, ["seeds"] = new JsonArray(cellSeeds.Select(s => (JsonNode)s).ToArray()),
                    ["M_mu"] = config.FirstLayerMean, ["M_sig"] = config.FirstLayerWidth, ["W_mu"] = config.TeacherMean, ["W_sig"] = config.TeacherWidth,
                    ["Z_mu"] = config.ReadoutMean, ["Z_sig"] = config.ReadoutWidth, ["out"] = Path.GetFullPath(root),
                },
                CodeVersion = CodeVersion.Current, Folder = PhaseOutput.CellDirectory(Path.GetFullPath(root), config),
            });
            var clock = Stopwatch.StartNew();
            try
            {
                var progress = new ProgressLine("phase train");
                var trained = TeacherStudentTrainer.TrainCell(config, cellSeeds, workers,
                    p => progress.Report(p.Fraction, p.EstimatedRemaining, $"{p.SeedsDone}/{p.SeedsTotal} models"));
                progress.Done();
                var path = first == 0 && parse.GetValue(format) == "npz" && !File.Exists(Path.Combine(PhaseOutput.CellDirectory(root, config), "data.npz"))
                    ? PhaseOutput.Write(root, config, trained, OutputFormat.Npz)
                    : parse.GetValue(format) == "phase_ml" ? PhaseOutput.Write(root, config, trained, OutputFormat.PhaseMl)
                    : PhaseOutput.AddSeeds(root, config, trained);
                var diverged = trained.Count(r => r.History.DivergedAtEpoch is not null);
                store.AppendMetrics(runId, [new MetricRow(0, null, "diverged_models", diverged), new MetricRow(0, null, "models", trained.Length)]);
                store.Finish(runId, RunStatus.Finished, clock.Elapsed.TotalSeconds);
                var steps = (double)config.StepsPerModel * trained.Length;
                CommandRunner.Log($"phase train: {trained.Length} models in {clock.Elapsed.TotalSeconds:F1} s " +
                                  $"({clock.Elapsed.TotalSeconds * 1e6 / steps * workers:F3} µs per model-step per thread); {diverged} diverged; wrote {path}");
                if (parse.GetValue(json))
                    CommandRunner.WriteJson(new { path, run = runId, temperature = config.Temperature, seeds = cellSeeds, diverged, seconds = clock.Elapsed.TotalSeconds });
            }
            catch (Exception e)
            {
                store.Finish(runId, RunStatus.Failed, clock.Elapsed.TotalSeconds, e.Message);
                throw;
            }
        });
        return command;
    }
}
