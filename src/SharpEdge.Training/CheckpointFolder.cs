using System.Globalization;
using System.Security.Cryptography;
using System.Text.Json;
using System.Text.Json.Nodes;
using SharpEdge.Nn;
using SharpEdge.Numerics;
using SharpEdge.Numerics.Io;

namespace SharpEdge.Training;

/// <summary>
/// The <c>checkpoints/</c> folder of a run: for each step S, <c>checkpoint_step_S.safetensors</c> (θ under
/// PyTorch names, the model's buffers (BatchNorm running statistics, PyTorch names, counts as int64), then <c>optimizer.NAME</c> buffers in the parameter layout, <c>warm_start.KEY</c> eigenvectors
/// [k, size] in float64, the loop's scalars as <c>trainer.*</c>, and for noisy GD and the SDE the noise generator
/// as <c>noise.seed</c>, <c>noise.generator</c> and the kept variances as <c>noise.variance</c>; past the switch of quadratic
/// dynamics <c>quadratic.anchor</c>, <c>quadratic.delta</c> and <c>quadratic.anchor_step</c>, of projected SGD
/// <c>projection.basis</c> [l, size], <c>projection.eigenvalues</c> and <c>projection.step</c>) and <c>checkpoint_step_S.json</c> (step,
/// kind, the tensor file's size and SHA-256). Both are written atomically, tensors first: the metadata file
/// commits the checkpoint, so a process killed mid-write leaves the previous checkpoints as they were, and a
/// checkpoint whose tensor file was truncated or altered later is reported as corrupt instead of being loaded.
/// </summary>
public sealed class CheckpointFolder
{
    public const string FolderName = "checkpoints";
    private const string Prefix = "checkpoint_step_";
    private const string Format = "sharpedge-checkpoint";

    public CheckpointFolder(string runFolder, ParameterLayout layout, ParameterLayout? bufferLayout = null)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(runFolder);
        ArgumentNullException.ThrowIfNull(layout);
        Path = System.IO.Path.Combine(runFolder, FolderName);
        Layout = layout;
        BufferLayout = bufferLayout ?? new ParameterLayout();
    }

    public string Path { get; }
    public ParameterLayout Layout { get; }
    /// <summary>The model's buffers (running statistics), saved and read with each checkpoint.</summary>
    public ParameterLayout BufferLayout { get; }

    /// <summary>The metadata file of step <paramref name="step"/>: the checkpoint's name in messages.</summary>
    public string MetadataPath(long step) => System.IO.Path.Combine(Path, $"{Prefix}{step}.json");

    public string TensorPath(long step) => System.IO.Path.Combine(Path, $"{Prefix}{step}.safetensors");

    /// <summary>Steps with a committed checkpoint (a metadata file), ascending.</summary>
    public IReadOnlyList<long> Steps()
    {
        if (!Directory.Exists(Path)) return [];
        var steps = new List<long>();
        foreach (var file in Directory.EnumerateFiles(Path, Prefix + "*.json"))
        {
            var text = System.IO.Path.GetFileNameWithoutExtension(file)[Prefix.Length..];
            if (long.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var step)) steps.Add(step);
        }
        steps.Sort();
        return steps;
    }

    public bool Has(long step) => File.Exists(MetadataPath(step));

    /// <summary>Writes the checkpoint, then deletes what the keep policy no longer needs (<see cref="Prune"/>).</summary>
    public void Write(Checkpoint checkpoint, int keepSteps = 0)
    {
        ArgumentNullException.ThrowIfNull(checkpoint);
        if (checkpoint.Theta.Length != Layout.Count) throw new ArgumentException($"θ has {checkpoint.Theta.Length} values, the model {Layout.Count}");
        Directory.CreateDirectory(Path);
        var tensors = new List<TensorEntry>();
        foreach (var t in Layout.Tensors) tensors.Add(new TensorEntry(t.Name, checkpoint.Theta.AsSpan(t.Offset, t.Count).ToArray(), t.Shape));
        if (checkpoint.Buffers.Length != BufferLayout.Count)
            throw new ArgumentException($"{checkpoint.Buffers.Length} buffer values, the model has {BufferLayout.Count}");
        foreach (var t in BufferLayout.Tensors)
        {
            var values = checkpoint.Buffers.AsSpan(t.Offset, t.Count);
            tensors.Add(t.Name.EndsWith("num_batches_tracked", StringComparison.Ordinal)
                ? new TensorEntry(t.Name, values.ToArray().Select(v => (long)v).ToArray(), t.Shape)
                : new TensorEntry(t.Name, values.ToArray(), t.Shape));
        }
        foreach (var (name, buffer) in checkpoint.OptimizerState.OrderBy(kv => kv.Key, StringComparer.Ordinal))
            tensors.Add(new TensorEntry($"optimizer.{name}", buffer, buffer.Length));
        foreach (var (key, vectors) in checkpoint.WarmStart)
        {
            if (vectors.Count == 0) continue;
            var size = vectors[0].Length;
            var flat = new double[vectors.Count * size];
            for (int i = 0; i < vectors.Count; i++) vectors[i].CopyTo(flat, i * size);
            tensors.Add(new TensorEntry($"warm_start.{key}", flat, vectors.Count, size));
        }
        tensors.Add(new TensorEntry("trainer.step", new long[] { checkpoint.Step }, 1));
        tensors.Add(new TensorEntry("trainer.optimizer_steps", new long[] { checkpoint.OptimizerSteps }, 1));
        tensors.Add(new TensorEntry("trainer.epoch_loss_sum", new double[] { checkpoint.EpochLossSum }, 1));
        tensors.Add(new TensorEntry("trainer.epoch_loss_count", new long[] { checkpoint.EpochLossCount }, 1));
        tensors.Add(new TensorEntry("trainer.batch_size", new long[] { checkpoint.BatchSize }, 1));
        tensors.Add(new TensorEntry("trainer.seconds", new double[] { checkpoint.Seconds }, 1));
        if (checkpoint.NoiseGenerator is { } generator)
        {
            tensors.Add(new TensorEntry("noise.seed", new long[] { unchecked((long)(checkpoint.NoiseSeed ?? 0)) }, 1));
            tensors.Add(new TensorEntry("noise.generator", NoiseGeneratorWords(generator), 6));
        }
        if (checkpoint.NoiseVariance is { } variance)
        {
            tensors.Add(new TensorEntry("noise.variance", variance, variance.Length));
            tensors.Add(new TensorEntry("noise.variance_step", new long[] { checkpoint.NoiseVarianceStep }, 1));
        }
        if (checkpoint.Quadratic is { } quadratic)
        {
            tensors.Add(new TensorEntry("quadratic.anchor", quadratic.Anchor, quadratic.Anchor.Length));
            tensors.Add(new TensorEntry("quadratic.delta", quadratic.Delta, quadratic.Delta.Length));
            tensors.Add(new TensorEntry("quadratic.anchor_step", new long[] { quadratic.Step }, 1));
        }
        if (checkpoint.Projection is { } projection)
        {
            var flat = new double[projection.Rank * projection.Size];
            for (int i = 0; i < projection.Rank; i++) projection.Vectors[i].CopyTo(flat, i * projection.Size);
            tensors.Add(new TensorEntry("projection.basis", flat, projection.Rank, projection.Size));
            tensors.Add(new TensorEntry("projection.eigenvalues", projection.Eigenvalues, projection.Rank));
            tensors.Add(new TensorEntry("projection.step", new long[] { projection.Step }, 1));
        }
        var tensorPath = TensorPath(checkpoint.Step);
        SafeTensors.Write(tensorPath, tensors, new Dictionary<string, string>
        {
            ["format"] = Format, ["step"] = checkpoint.Step.ToString(CultureInfo.InvariantCulture), ["optimizer"] = checkpoint.OptimizerName,
        });
        var (bytes, sha) = Fingerprint(tensorPath);
        var metadata = new JsonObject
        {
            ["format"] = Format, ["version"] = 1, ["step"] = checkpoint.Step, ["kind"] = checkpoint.Kind.ToText(),
            ["file"] = System.IO.Path.GetFileName(tensorPath), ["bytes"] = bytes, ["sha256"] = sha,
            ["optimizer"] = checkpoint.OptimizerName, ["optimizer_steps"] = checkpoint.OptimizerSteps, ["parameters"] = Layout.Count,
            ["warm_start"] = new JsonArray([.. checkpoint.WarmStart.Select(w => (JsonNode?)JsonValue.Create(w.Key))]),
            ["seconds"] = checkpoint.Seconds, ["written"] = DateTime.UtcNow.ToString("yyyy-MM-dd'T'HH:mm:ss.fff'Z'", CultureInfo.InvariantCulture),
        };
        AtomicFile.WriteText(MetadataPath(checkpoint.Step), w => w.Write(metadata.ToJsonString(new JsonSerializerOptions { WriteIndented = true })));
        Prune(checkpoint.Step, checkpoint.Kind, keepSteps);
    }

    /// <summary>
    /// Reads and verifies the checkpoint of <paramref name="step"/>: a metadata file that does not parse, a tensor
    /// file whose size or SHA-256 differs from the recorded one, or tensors that do not fit the model are errors
    /// "checkpoint PATH is corrupt: …".
    /// </summary>
    public Checkpoint Read(long step)
    {
        var metaPath = MetadataPath(step);
        if (!File.Exists(metaPath))
        {
            var steps = Steps();
            throw new FileNotFoundException($"no checkpoint at step {step} in {Path} (checkpoints: {(steps.Count == 0 ? "none" : string.Join(", ", steps))})");
        }
        JsonObject meta;
        try
        {
            meta = JsonNode.Parse(File.ReadAllText(metaPath)) as JsonObject ?? throw Corrupt(metaPath, "the metadata is not a JSON object");
        }
        catch (JsonException e)
        {
            throw Corrupt(metaPath, $"the metadata is not valid JSON ({e.Message})");
        }
        if (meta["format"]?.GetValueKind() != JsonValueKind.String || meta["format"]!.GetValue<string>() != Format)
            throw Corrupt(metaPath, $"the metadata does not say format \"{Format}\"");
        var recordedStep = Number(meta, "step", metaPath);
        if (recordedStep != step) throw Corrupt(metaPath, $"the metadata says step {recordedStep}, the file name {step}");
        var kind = CheckpointKindText.Parse(meta["kind"]?.GetValueKind() == JsonValueKind.String ? meta["kind"]!.GetValue<string>() : null)
            ?? throw Corrupt(metaPath, "the metadata has no valid 'kind'");
        var bytes = Number(meta, "bytes", metaPath);
        var sha = meta["sha256"]?.GetValueKind() == JsonValueKind.String ? meta["sha256"]!.GetValue<string>() : throw Corrupt(metaPath, "the metadata has no 'sha256'");
        var tensorPath = TensorPath(step);
        if (!File.Exists(tensorPath)) throw Corrupt(metaPath, $"its tensor file {System.IO.Path.GetFileName(tensorPath)} is missing");
        var (actualBytes, actualSha) = Fingerprint(tensorPath);
        if (actualBytes != bytes)
            throw Corrupt(metaPath, $"{System.IO.Path.GetFileName(tensorPath)} has {actualBytes} bytes, {bytes} were written ({(actualBytes < bytes ? "truncated" : "altered")})");
        if (!string.Equals(actualSha, sha, StringComparison.OrdinalIgnoreCase))
            throw Corrupt(metaPath, $"the SHA-256 of {System.IO.Path.GetFileName(tensorPath)} differs from the one recorded when it was written");

        IReadOnlyList<TensorEntry> tensors;
        IReadOnlyDictionary<string, string> fileMetadata;
        try
        {
            (tensors, fileMetadata) = SafeTensors.Read(tensorPath);
        }
        catch (TensorFileException e)
        {
            throw Corrupt(metaPath, e.Message);
        }
        var byName = tensors.ToDictionary(t => t.Name, StringComparer.Ordinal);
        var theta = new float[Layout.Count];
        foreach (var t in Layout.Tensors)
        {
            if (!byName.TryGetValue(t.Name, out var entry) || entry.Data is not float[] values || !entry.Shape.AsSpan().SequenceEqual(t.Shape))
                throw new InvalidDataException($"checkpoint {metaPath} does not fit this model: it lacks float32 tensor '{t.Name}' {t.ShapeText}");
            values.CopyTo(theta, t.Offset);
        }
        var modelBuffers = new float[BufferLayout.Count];
        foreach (var t in BufferLayout.Tensors)
        {
            if (!byName.TryGetValue(t.Name, out var entry) || !entry.Shape.AsSpan().SequenceEqual(t.Shape))
                throw new InvalidDataException($"checkpoint {metaPath} does not fit this model: it lacks buffer '{t.Name}' {t.ShapeText}");
            switch (entry.Data)
            {
                case float[] f: f.CopyTo(modelBuffers, t.Offset); break;
                case long[] l: for (int i = 0; i < l.Length; i++) modelBuffers[t.Offset + i] = l[i]; break;
                default: throw new InvalidDataException($"checkpoint {metaPath}: buffer '{t.Name}' is {entry.Dtype}, expected float32 or int64");
            }
        }
        var optimizerState = new Dictionary<string, float[]>();
        var warmStart = new List<(string, IReadOnlyList<double[]>)>();
        foreach (var entry in tensors)
        {
            if (entry.Name.StartsWith("optimizer.", StringComparison.Ordinal) && entry.Data is float[] buffer)
                optimizerState[entry.Name["optimizer.".Length..]] = buffer;
            else if (entry.Name.StartsWith("warm_start.", StringComparison.Ordinal) && entry.Data is double[] flat && entry.Shape.Length == 2)
            {
                var (k, size) = (entry.Shape[0], entry.Shape[1]);
                warmStart.Add((entry.Name["warm_start.".Length..], Enumerable.Range(0, k).Select(i => flat.AsSpan(i * size, size).ToArray()).ToArray()));
            }
        }
        T Scalar<T>(string name) => byName.TryGetValue(name, out var e) && e.Data is T[] { Length: 1 } a ? a[0]
            : throw Corrupt(metaPath, $"tensor '{name}' is missing or not a single {typeof(T).Name}");
        if (Scalar<long>("trainer.step") != step) throw Corrupt(metaPath, $"its tensors say step {Scalar<long>("trainer.step")}");
        RngState? generator = null;
        if (byName.TryGetValue("noise.generator", out var words))
            generator = words.Data is long[] { Length: 6 } w ? NoiseGenerator(w) : throw Corrupt(metaPath, "tensor 'noise.generator' is not 6 int64 words");
        double[]? noiseVariance = null;
        if (byName.TryGetValue("noise.variance", out var varianceEntry))
            noiseVariance = varianceEntry.Data as double[] ?? throw Corrupt(metaPath, "tensor 'noise.variance' is not float64");
        TaylorAnchor? quadratic = null;
        if (byName.TryGetValue("quadratic.anchor", out var anchorEntry))
        {
            if (anchorEntry.Data is not float[] anchor || anchor.Length != Layout.Count || !byName.TryGetValue("quadratic.delta", out var deltaEntry)
                || deltaEntry.Data is not float[] delta || delta.Length != Layout.Count)
                throw Corrupt(metaPath, $"tensors 'quadratic.anchor' and 'quadratic.delta' must be float32 of {Layout.Count} values each");
            quadratic = new TaylorAnchor(anchor, delta, Scalar<long>("quadratic.anchor_step"));
        }
        ProjectionBasis? projection = null;
        if (byName.TryGetValue("projection.basis", out var basisEntry))
        {
            if (basisEntry.Data is not double[] flat || basisEntry.Shape.Length != 2 || basisEntry.Shape[1] != Layout.Count
                || !byName.TryGetValue("projection.eigenvalues", out var valuesEntry) || valuesEntry.Data is not double[] values || values.Length != basisEntry.Shape[0])
                throw Corrupt(metaPath, $"tensor 'projection.basis' must be float64 [l, {Layout.Count}] with l float64 'projection.eigenvalues'");
            var (rank, size) = (basisEntry.Shape[0], basisEntry.Shape[1]);
            projection = new ProjectionBasis([.. Enumerable.Range(0, rank).Select(i => flat.AsSpan(i * size, size).ToArray())], values, Scalar<long>("projection.step"));
        }
        return new Checkpoint
        {
            Step = step,
            Kind = kind,
            Theta = theta,
            Buffers = modelBuffers,
            OptimizerName = fileMetadata.TryGetValue("optimizer", out var name) ? name : "",
            OptimizerSteps = Scalar<long>("trainer.optimizer_steps"),
            OptimizerState = optimizerState,
            WarmStart = warmStart,
            EpochLossSum = Scalar<double>("trainer.epoch_loss_sum"),
            EpochLossCount = Scalar<long>("trainer.epoch_loss_count"),
            BatchSize = (int)Scalar<long>("trainer.batch_size"),
            Seconds = Scalar<double>("trainer.seconds"),
            NoiseSeed = generator is null ? null : unchecked((ulong)Scalar<long>("noise.seed")),
            NoiseGenerator = generator,
            NoiseVariance = noiseVariance,
            NoiseVarianceStep = noiseVariance is null ? -1 : Scalar<long>("noise.variance_step"),
            Quadratic = quadratic,
            Projection = projection,
        };
    }

    /// <summary>A generator state as six int64 words: the four xoshiro words, whether a normal is cached, and its bits.</summary>
    private static long[] NoiseGeneratorWords(RngState s) => unchecked(
        [(long)s.S0, (long)s.S1, (long)s.S2, (long)s.S3, s.HasSpareNormal ? 1 : 0, BitConverter.DoubleToInt64Bits(s.SpareNormal)]);

    private static RngState NoiseGenerator(long[] w) => unchecked(
        new RngState((ulong)w[0], (ulong)w[1], (ulong)w[2], (ulong)w[3], w[4] != 0, BitConverter.Int64BitsToDouble(w[5])));

    /// <summary>
    /// After the checkpoint of <paramref name="newest"/>: deletes earlier timed and interrupt checkpoints, step
    /// checkpoints beyond the newest <paramref name="keepSteps"/> (0 keeps all), tensor files never committed by
    /// a metadata file, and temporary files of interrupted writes. Final checkpoints stay.
    /// </summary>
    public void Prune(long newest, CheckpointKind newestKind, int keepSteps)
    {
        int kept = newestKind == CheckpointKind.Step ? 1 : 0;
        foreach (var step in Steps().Where(s => s < newest).Reverse())
        {
            var kind = KindOf(step);
            if (kind is null || kind == CheckpointKind.Final) continue;   // unreadable: leave it for a person to look at
            if (kind.Value.IsTransient() || (keepSteps > 0 && kept >= keepSteps)) Delete(step);
            else kept++;
        }
        foreach (var file in Directory.EnumerateFiles(Path, Prefix + "*.safetensors"))
        {
            var text = System.IO.Path.GetFileNameWithoutExtension(file)[Prefix.Length..];
            if (long.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var step) && step < newest && !Has(step)) File.Delete(file);
        }
        foreach (var file in Directory.EnumerateFiles(Path, "." + Prefix + "*.tmp")) File.Delete(file);
    }

    private CheckpointKind? KindOf(long step)
    {
        try
        {
            return JsonNode.Parse(File.ReadAllText(MetadataPath(step)))?["kind"] is JsonValue v && v.TryGetValue<string>(out var text) ? CheckpointKindText.Parse(text) : null;
        }
        catch (JsonException)
        {
            return null;
        }
    }

    private void Delete(long step)
    {
        File.Delete(MetadataPath(step));   // uncommit first
        File.Delete(TensorPath(step));
    }

    private static (long Bytes, string Sha256) Fingerprint(string path)
    {
        using var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, 1 << 16, FileOptions.SequentialScan);
        return (stream.Length, Convert.ToHexStringLower(SHA256.HashData(stream)));
    }

    private static long Number(JsonObject meta, string key, string path) =>
        meta[key] is JsonValue v && v.GetValueKind() == JsonValueKind.Number && v.TryGetValue<long>(out var n) ? n
            : throw Corrupt(path, $"the metadata has no integer '{key}'");

    private static InvalidDataException Corrupt(string path, string problem) => new($"checkpoint {path} is corrupt: {problem}");
}
