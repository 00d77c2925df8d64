using System.CommandLine;
using System.Diagnostics;
using System.Numerics;
using SharpEdge.Curvature;
using SharpEdge.Curvature.Measurements;
using SharpEdge.Nn;
using SharpEdge.Numerics;
using SharpEdge.Numerics.Io;

namespace SharpEdge.Cli.Commands;

/// <summary>
/// <c>measure</c>: EoSS curvature measurements (docs/measurements.md) at given weights and data, named from the
/// <see cref="MeasurementRegistry"/>. Prints <c>{"measurements": {"lambda-max": {"value", "se", "samples",
/// "hvps", "seconds", …}, …}}</c>, with <c>se</c> null for exact quantities; with <c>--per-layer</c> also
/// <c>"per_layer": {"layers.0.weight": {"lambda-max": {…}, …}, …}</c> (<see cref="PerLayerMeasurements"/>).
/// </summary>
public static class MeasureCommand
{
    public static Command Create()
    {
        var inputs = new ModelInputs();
        var measure = new Option<string>("--measure")
        {
            Description = $"comma-separated measurements, e.g. lambda-max,top-k=5,batch-sharpness (known: {MeasurementRegistry.KnownList()})",
            Required = true,
        };
        var lr = new Option<double?>("--lr") { Description = "learning rate η (one-step-loss-change, second-moment-contraction)" };
        var batch = new Option<int?>("--batch") { Description = "batch size b of the Monte-Carlo batches (and of the random training batch)" };
        var trainBatch = new Option<string?>("--train-batch") { Description = "indices I.npy (int64 [b]) of the current training batch for step-*; default: a random batch of --batch samples from --seed" };
        var tol = new Option<double?>("--tol") { Description = "relative residual tolerance of eigensolves (default 1e-6 in f64, 1e-4 in f32)" };
        var subset = new Option<int>("--curvature-subset") { Description = "full-data curvature measurements (λ_max, top-k, trace, GNI …) on N samples drawn without replacement from --seed (the original's λ_max: 4096); 0 = all samples", DefaultValueFactory = _ => 0 };
        var seed = new Option<ulong>("--seed") { Description = "seed of every random stream (batches, probes, start vectors)", DefaultValueFactory = _ => 0 };
        var method = new Option<string>("--method") { Description = "eigensolver: auto (dense up to 200 parameters, else Lanczos), lanczos, lobpcg, power, dense", DefaultValueFactory = _ => "auto" }
            .AcceptOnlyFromAmong("auto", "lanczos", "lobpcg", "power", "dense");
        var maxIterations = new Option<int?>("--max-iterations") { Description = "eigensolver iteration cap (default: the solver's)" };
        var minSamples = new Option<int?>("--min-samples") { Description = "Monte-Carlo minimum samples (overrides each measurement's default)" };
        var maxSamples = new Option<int?>("--max-samples") { Description = "Monte-Carlo maximum samples (overrides each measurement's default)" };
        var relSe = new Option<double?>("--rel-se") { Description = "Monte-Carlo target relative standard error (0: always take --max-samples)" };
        var momentumBuffer = new Option<string?>("--momentum-buffer") { Description = "optimizer momentum buffer V.npy, flat (momentum-batch-sharpness)" };
        var momentum = new Option<double?>("--momentum") { Description = "momentum coefficient μ for --momentum-buffer" };
        var initParams = new Option<string?>("--init-params") { Description = "initial weights θ₀ (.safetensors) for parameter-distance" };
        var chunkSize = new Option<int>("--chunk-size") { Description = "samples per chunk of full-data passes", DefaultValueFactory = _ => 4096 };
        var perLayer = new Option<bool>("--per-layer") { Description = "also report lambda-max, top-k and trace of the Hessian restricted to each parameter tensor (names as model info prints them)" };
        var warmStart = new Option<string?>("--warm-start") { Description = "start vectors V.npy ([P] or [k, P], e.g. a previous --vectors-out) for the Hessian eigensolves (lambda-max, top-k)" };
        var vectorsOut = new Option<string?>("--vectors-out") { Description = "write the Hessian eigenvectors found (float64 [k, P]) to this .npy, to warm-start a later solve" };
        var cacheMb = new Option<long>("--cache-mb") { Description = "MiB of activations kept across full-data products (0: hold one chunk at a time and recompute)", DefaultValueFactory = _ => 2048 };
        var device = new Option<string>("--device")
        {
            Description = $"cuda: for an MLP, the eigen-measurements of the Hessian and Gauss-Newton matrix ({EngineMeasurements.HessianEngineNames}), and the Monte-Carlo batches of {EngineMeasurements.BatchEngineNames}, on the GPU, the rest on the CPU; cpu: all on the CPU",
            DefaultValueFactory = _ => "cpu",
        }.AcceptOnlyFromAmong("cpu", "cuda");
        var dtype = CommonOptions.Dtype("f64");
        var threads = CommonOptions.Threads();
        var json = CommonOptions.Json();
        var command = new Command("measure", "EoSS curvature measurements (λ_max, top-k, batch sharpness, GNI, trace, …) at given weights and data.");
        foreach (var option in inputs.Options) command.Options.Add(option);
        foreach (var option in new Option[] { measure, lr, batch, trainBatch, tol, subset, seed, method, maxIterations, minSamples, maxSamples, relSe,
                     momentumBuffer, momentum, initParams, perLayer, warmStart, vectorsOut, chunkSize, cacheMb, device, dtype, threads, json })
            command.Options.Add(option);
        command.SetAction(parse =>
        {
            var request = new Request(inputs.Paths(parse), MeasurementRegistry.Parse(parse.GetValue(measure)!), parse.GetValue(lr), parse.GetValue(batch),
                parse.GetValue(trainBatch), parse.GetValue(tol), parse.GetValue(subset), parse.GetValue(seed), ParseMethod(parse.GetValue(method)!), parse.GetValue(maxIterations),
                new MonteCarloSettings(parse.GetValue(minSamples), parse.GetValue(maxSamples), parse.GetValue(relSe)),
                parse.GetValue(momentumBuffer), parse.GetValue(momentum), parse.GetValue(initParams), parse.GetValue(perLayer), parse.GetValue(chunkSize),
                parse.GetValue(cacheMb), parse.GetValue(dtype)!, parse.GetValue(warmStart), parse.GetValue(vectorsOut), parse.GetValue(device) == "cuda");
            request.Check();
            var document = request.Dtype == "f32" ? Run<float>(request) : Run<double>(request);
            if (parse.GetValue(json)) CommandRunner.WriteJson(document);
            else PrintTable(document);
        });
        return command;
    }

    private static EigenMethod ParseMethod(string text) => text switch
    {
        "lanczos" => EigenMethod.Lanczos,
        "lobpcg" => EigenMethod.Lobpcg,
        "power" => EigenMethod.Power,
        "dense" => EigenMethod.Dense,
        _ => EigenMethod.Auto,
    };

    private sealed record Request(ModelInputPaths Model, IReadOnlyList<IMeasurement> Measurements, double? Lr, int? Batch, string? TrainBatch,
        double? Tolerance, int CurvatureSubset, ulong Seed, EigenMethod Method, int? MaxIterations, MonteCarloSettings MonteCarlo, string? MomentumBuffer,
        double? Momentum, string? InitParams, bool PerLayer, int ChunkSize, long CacheMb, string Dtype, string? WarmStart, string? VectorsOut, bool Cuda)
    {
        /// <summary>Every missing or inconsistent option, named by its flag, before any file is read.</summary>
        public void Check()
        {
            foreach (var m in Measurements)
            {
                var missing = new List<string>();
                if (m.Needs.HasFlag(MeasurementNeeds.LearningRate) && Lr is null) missing.Add("--lr");
                if (m.Needs.HasFlag(MeasurementNeeds.BatchSize) && Batch is null) missing.Add("--batch");
                if (m.Needs.HasFlag(MeasurementNeeds.TrainingBatch) && Batch is null && TrainBatch is null) missing.Add("--batch or --train-batch");
                if (m.Needs.HasFlag(MeasurementNeeds.InitialParameters) && InitParams is null) missing.Add("--init-params");
                if (missing.Count > 0) throw new ArgumentException($"{m.Name} needs {string.Join(" and ", missing)}");
            }
            if (PerLayer && !PerLayerMeasurements.Any(Measurements))
                throw new ArgumentException($"--per-layer needs one of {PerLayerMeasurements.Names} in --measure");
            if (Lr is { } eta && !(eta > 0 && double.IsFinite(eta))) throw new ArgumentException($"--lr must be positive and finite, got {eta}");
            if (Batch is < 1) throw new ArgumentException($"--batch must be positive, got {Batch}");
            if (Tolerance is { } tol && !(tol > 0 && double.IsFinite(tol))) throw new ArgumentException($"--tol must be positive and finite, got {tol}");
            if (CurvatureSubset < 0) throw new ArgumentException($"--curvature-subset must be ≥ 0 (0 = all samples), got {CurvatureSubset}");
            if (CurvatureSubset > 0 && Batch is { } b && CurvatureSubset < b) throw new ArgumentException($"--curvature-subset {CurvatureSubset} is smaller than --batch {b}");
            if (MaxIterations is < 1) throw new ArgumentException($"--max-iterations must be positive, got {MaxIterations}");
            if (MomentumBuffer is not null && Momentum is null) throw new ArgumentException("--momentum-buffer needs --momentum (the coefficient μ)");
            if (Momentum is { } mu && !(mu >= 0 && double.IsFinite(mu))) throw new ArgumentException($"--momentum must be finite and non-negative, got {mu}");
            if ((WarmStart is not null || VectorsOut is not null) && !Measurements.Any(m => m.Name is "lambda-max" or "top-k"))
                throw new ArgumentException("--warm-start and --vectors-out need lambda-max or top-k in --measure");
            if (ChunkSize < 1) throw new ArgumentException($"--chunk-size must be positive, got {ChunkSize}");
            if (Cuda && PerLayer) throw new ArgumentException("--device cuda: --per-layer runs on the CPU engine only so far; use --device cpu");
            if (CacheMb < 0) throw new ArgumentException($"--cache-mb must be non-negative, got {CacheMb}");
            try { MonteCarlo.Apply(BatchSharpness.DefaultStopping); }
            catch (ArgumentOutOfRangeException e) { throw new ArgumentException($"--min-samples/--max-samples/--rel-se: {e.Message.Split(" (Parameter")[0]}"); }
        }
    }

    private static Dictionary<string, object?> Run<T>(Request r) where T : unmanaged, IFloatingPointIeee754<T>
    {
        var clock = Stopwatch.StartNew();
        var warmup = EngineWarmup.Start<T>(r.Model.Model, r.Model.Loss);
        var model = ModelInputs.Load<T>(r.Model);
        int n = model.Samples.Count, p = model.Network.ParameterCount;
        if (r.Batch is { } b && b > n) throw new ArgumentException($"--batch {b} exceeds the {n} samples of {r.Model.Inputs}");
        if (r.CurvatureSubset > n) throw new ArgumentException($"--curvature-subset {r.CurvatureSubset} exceeds the {n} samples of {r.Model.Inputs}");
        var objective = new Objective<T>(model.Network, model.Loss, model.Samples, r.ChunkSize, r.CacheMb << 20);
        var context = new MeasurementContext<T>(objective, model.Theta)
        {
            LearningRate = r.Lr,
            BatchSize = r.Batch,
            TrainingBatch = r.Measurements.Any(m => m.Needs.HasFlag(MeasurementNeeds.TrainingBatch)) ? TrainingBatch(r, n) : null,
            MomentumBuffer = r.MomentumBuffer is null ? default : ModelInputs.ReadVector<T>(r.MomentumBuffer, p, "--momentum-buffer"),
            Momentum = r.Momentum ?? 0,
            InitialParameters = r.InitParams is null ? default : ModelInputs.ReadParameters<T>(r.InitParams, model.Network),
            Seed = r.Seed,
            Method = r.Method,
            Tolerance = r.Tolerance,
            CurvatureSubset = r.CurvatureSubset,
            MaxEigenIterations = r.MaxIterations,
            MonteCarlo = r.MonteCarlo,
            Threads = Parallelism.Threads,
            Log = CommandRunner.Log,
        };
        using var gpu = r.Cuda ? PhaseDevice.Open(Gpu.DeviceChoice.Cuda, "measure", offersAuto: false) : null;
        // The GPU engine holds the samples the Hessian is measured on (all of them, or the --curvature-subset), built only
        // when an eigen-measurement takes it; batch sharpness's batches go to a second engine over a batch-sized buffer.
        using var engine = gpu is null || !r.Measurements.Any(EngineMeasurements.TakesHessianEngine) ? null
            : new Gpu.Curvature.DeviceMlp<T>(gpu, model.Network, model.Loss, context.Curvature.Data);
        bool gramPath = context.BatchSize is int size && EngineMeasurements.CpuHasGramPath(model.Network, size);
        using var batchEngine = gpu is null || context.BatchSize is not int batchSize || !r.Measurements.Any(m => EngineMeasurements.TakesBatchEngine(m, gramPath)) ? null
            : new Gpu.Curvature.DeviceMlp<T>(gpu, model.Network, model.Loss, context.Data.CreateBuffer(batchSize));
        context.HessianEngine = engine;
        context.BatchEngine = batchEngine;
        if (gpu is not null)
        {
            var onGpu = new[] { engine is null ? null : "the eigen-measurements of H and G", batchEngine is null ? null : gramPath ? "gn-batch-sharpness" : "batch sharpness" }
                .OfType<string>().ToList();
            if (r.Measurements.Any(m => EngineMeasurements.StaysOnCpuWorkers(m, gramPath)))
                CommandRunner.Log(EngineMeasurements.GramPathNote("measure"));
            var gemms = (engine ?? batchEngine)?.GemmBackend;
            CommandRunner.Log(onGpu.Count == 0
                ? $"measure: none of these measurements runs on {gpu.Description} (only {EngineMeasurements.HessianEngineNames}, {EngineMeasurements.BatchEngineNames} do): all on the CPU"
                : $"measure: {string.Join(" and ", onGpu)} on {gpu.Description} (GEMMs: {gemms}), the rest on the CPU");
        }
        if (r.WarmStart is { } start) context.WarmStart.Store(EigenvectorCache.Hessian, ReadVectors(start, p));
        context.Validate(r.Measurements);
        CommandRunner.Log($"measure: {model.Network.Description}, {p:N0} parameters, {n} samples{(context.HasCurvatureSubset ? $" (curvature on {r.CurvatureSubset} of them)" : "")}, {model.Loss.Name}, {r.Dtype}, " +
                          $"{Parallelism.Threads} threads, {objective.ChunkCount} chunk(s) of {objective.ChunkSize}");
        Task.WaitAny(warmup); // a failed warm-up changes nothing: the passes below report their own errors
        var results = new Dictionary<string, object?>();
        foreach (var m in r.Measurements)
        {
            var result = m.Measure(context);
            Log(m.Name, result);
            results[m.Name] = ToJson(result);
        }
        if (r.VectorsOut is { } output && context.WarmStart.Get(EigenvectorCache.Hessian, p) is { } found)
        {
            var flat = found.SelectMany(v => v).ToArray();
            Npy.Write(output, flat, found.Count, p);   // written to a temporary file, then renamed
        }
        var perLayer = r.PerLayer ? PerLayer(context, r.Measurements) : null;
        var document = new Dictionary<string, object?>
        {
            ["measurements"] = results,
            ["model"] = r.Model.Model,
            ["parameters"] = p,
            ["samples"] = n,
            ["loss_function"] = model.Loss.Name,
            ["dtype"] = r.Dtype,
            ["device"] = gpu?.Description ?? "cpu",
            ["gemm"] = engine?.GemmBackend,
            ["seed"] = r.Seed,
            ["threads"] = Parallelism.Threads,
            ["batch"] = r.Batch,
            ["lr"] = r.Lr,
            ["loss"] = context.IsLinearized ? Finite(context.Loss) : null,
            ["gradient_norm_squared"] = context.HasGradient ? Finite(context.GradientNormSquared) : null,
            ["linearization_seconds"] = context.LinearizationSeconds,
            ["held_activation_bytes"] = objective.HeldBytes,
            ["seconds"] = clock.Elapsed.TotalSeconds,
        };
        if (perLayer is not null) document["per_layer"] = perLayer;
        return document;
    }

    /// <summary>{"layers.0.weight": {"lambda-max": {…}, "top-k": {…}, "trace": {…}}, …}: the block measurements of every parameter tensor.</summary>
    private static Dictionary<string, object?> PerLayer<T>(MeasurementContext<T> context, IReadOnlyList<IMeasurement> measurements) where T : unmanaged, IFloatingPointIeee754<T>
    {
        var layers = new Dictionary<string, object?>();
        foreach (var layer in PerLayerMeasurements.Measure(context, measurements))
        {
            var results = new Dictionary<string, object?>();
            foreach (var result in layer.Results)
            {
                Log($"{layer.Block.Name} {result.Name}", result);
                results[result.Name] = ToJson(result);
            }
            layers[layer.Block.Name] = results;
        }
        return layers;
    }

    /// <summary>Warm-start vectors from a .npy of shape [P] or [k, P] (float32 or float64).</summary>
    private static double[][] ReadVectors(string path, int p)
    {
        var array = Npy.Read(path);
        if (array.Dtype is not (NpyDtype.Float64 or NpyDtype.Float32) || array.Shape.Length is not (1 or 2) || array.Shape[^1] != p || array.Length == 0)
            throw new ArgumentException($"{path}: --warm-start needs float vectors of shape [{p}] or [k, {p}], got {array.Dtype} [{string.Join(",", array.Shape)}]");
        var values = array.AsFloat64();
        if (values.Any(v => !double.IsFinite(v))) throw new ArgumentException($"{path}: --warm-start holds NaN or infinite values");
        return Enumerable.Range(0, values.Length / p).Select(i => values.AsSpan(i * p, p).ToArray()).ToArray();
    }

    /// <summary>The training batch: from --train-batch, else b distinct samples drawn from a stream of --seed of its own.</summary>
    private static int[] TrainingBatch(Request r, int n)
    {
        if (r.TrainBatch is { } path)
        {
            var array = Npy.Read(path);
            if (array.Dtype is not (NpyDtype.Int64 or NpyDtype.Int32) || array.Shape.Length != 1 || array.Length < 1)
                throw new ArgumentException($"{path}: --train-batch needs int64 sample indices of shape [b], got {array.Dtype} [{string.Join(",", array.Shape)}]");
            return array.AsInt64().Select(i => i >= 0 && i < n ? (int)i
                : throw new ArgumentException($"{path}: sample index {i} is outside [0, {n})")).ToArray();
        }
        var rng = new Rng(r.Seed).Fork(0x7472_6169_6e);   // "train": independent of the measurement streams
        return new BatchSequence(n, r.Batch!.Value, rng)[0].ToArray();
    }

    private static Dictionary<string, object?> ToJson(MeasurementResult result)
    {
        var json = EstimateJson(result.Value);
        if (result.Vector is not null) json["value"] = result.Vector.Select(Finite).ToArray();
        foreach (var (key, value) in result.Details) json[key] = value is double d ? Finite(d) : value;
        foreach (var part in result.Parts) json[part.Suffix] = EstimateJson(part.Estimate);
        return json;
    }

    private static Dictionary<string, object?> EstimateJson(Estimate e) => new()
    {
        ["value"] = Finite(e.Value),
        ["se"] = e.StandardError is { } se ? Finite(se) : null,
        ["samples"] = e.Samples,
        ["hvps"] = e.Products,
        ["seconds"] = e.Seconds,
    };

    /// <summary>JSON has no NaN or ∞: a non-finite number (an SE from one sample) becomes null.</summary>
    private static double? Finite(double x) => double.IsFinite(x) ? x : null;

    private static void Log(string label, MeasurementResult r) =>
        CommandRunner.Log($"{label}: {Describe(r)}  ({r.Value.Samples} samples, {r.Value.Products} products, {r.Value.Seconds:F3} s)");

    private static string Describe(MeasurementResult r)
    {
        var text = r.Vector is not null ? "[" + string.Join(", ", r.Vector.Select(v => v.ToString("G6"))) + "]" : r.Value.Value.ToString("G6");
        if (r.Value.StandardError is { } se) text += $" ± {se:G3}";
        foreach (var part in r.Parts) text += $", {part.Suffix} {part.Estimate.Value:G6}";
        return text;
    }

    private static void PrintTable(Dictionary<string, object?> document)
    {
        foreach (var (name, value) in (Dictionary<string, object?>)document["measurements"]!) PrintRow(name, value);
        if (document.GetValueOrDefault("per_layer") is Dictionary<string, object?> layers)
            foreach (var (tensor, results) in layers)
                foreach (var (name, value) in (Dictionary<string, object?>)results!) PrintRow($"{tensor} {name}", value);
    }

    private static void PrintRow(string name, object? value)
    {
        var fields = (Dictionary<string, object?>)value!;
        var shown = fields["value"] is double[] or double?[] ? "[" + string.Join(", ", ((IEnumerable<double?>)fields["value"]!).Select(x => x?.ToString("G8"))) + "]"
            : ((double?)fields["value"])?.ToString("G10");
        var se = fields["se"] is double s ? $" ± {s:G3}" : "";
        Console.WriteLine($"{name,-32} {shown}{se}   ({fields["samples"]} samples, {fields["hvps"]} hvps, {(double)fields["seconds"]!:F3} s)");
    }
}
