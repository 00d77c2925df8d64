using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using SharpEdge.Numerics.Io;
using SharpEdge.Runs;

namespace SharpEdge.Training;

/// <summary>
/// <c>final.json</c> of <c>--final</c> (eoss_spec §7.18): the values of the run's last step, where every measurement is
/// taken and <c>--final</c> adds λ_max, batch sharpness and the full loss and accuracy, all at the final θ (the one in
/// final.safetensors and the final checkpoint). HEAD's keys (sorted, indent 2, written atomically) with the seed's
/// <c>batch_sharpness</c>, and every stored value of the step under <c>metrics</c>.
/// </summary>
/// <remarks>
/// Unlike HEAD, no extra steps are trained after the run (HEAD trains 500 more SGD steps that no checkpoint holds and
/// averages three λ_max, two of them at the same parameters, §15.1.13; the seed trains 1000 more and records their step
/// sharpness): everything is measured at the final θ, batch sharpness as its Monte-Carlo mean over fresh batches with a
/// standard error. <c>lambda_maxes</c> holds the one λ_max; λ_max is taken over all n samples in train mode (HEAD: a
/// subset of at most 8192 in eval mode, the same for these models without batch norm or dropout).
/// </remarks>
public static class FinalReport
{
    public const string FileName = "final.json";

    public static void Write(string path, RunRecord run, Trainer trainer, long step, IEnumerable<MetricRow> lastStep)
    {
        ArgumentNullException.ThrowIfNull(run);
        ArgumentNullException.ThrowIfNull(trainer);
        ArgumentNullException.ThrowIfNull(lastStep);
        var rows = lastStep.Where(r => r.Step == step).GroupBy(r => r.Name).ToDictionary(g => g.Key, g => g.Last());
        JsonNode? Value(string metric) => rows.TryGetValue(metric, out var r) ? JsonValue.Create(r.Value) : null;
        var eigenvalues = rows.Keys.Where(k => k.StartsWith("top_k_", StringComparison.Ordinal))
            .OrderBy(k => int.Parse(k["top_k_".Length..], CultureInfo.InvariantCulture)).Select(k => rows[k].Value).ToList();
        if (eigenvalues.Count == 0 && rows.TryGetValue("lambda_max", out var lambda)) eigenvalues.Add(lambda.Value);
        var metrics = new JsonObject();
        foreach (var (name, r) in rows.OrderBy(kv => kv.Key, StringComparer.Ordinal))
            metrics[name] = new JsonObject { ["value"] = r.Value, ["se"] = r.Se, ["samples"] = r.Samples };
        var json = new JsonObject
        {
            ["batch_sharpness"] = Value("batch_sharpness"),
            ["batch_sharpness_se"] = rows.TryGetValue("batch_sharpness", out var bs) ? bs.Se : null,
            ["dataset_size"] = trainer.SampleCount,
            ["eigenvalues"] = new JsonArray([.. eigenvalues.Select(v => (JsonNode?)JsonValue.Create(v))]),
            ["epoch"] = (double)step / trainer.StepsPerEpoch,
            ["full_accuracy"] = Value("full_accuracy"),
            ["full_loss"] = Value("full_loss"),
            ["lambda_max"] = Value("lambda_max"),
            ["lambda_maxes"] = rows.TryGetValue("lambda_max", out var l) ? new JsonArray(JsonValue.Create(l.Value)) : new JsonArray(),
            ["metrics"] = metrics,
            ["num_eigenvalues"] = eigenvalues.Count,
            ["run_id"] = run.Id,
            ["step"] = step,
            ["subset_size"] = trainer.SampleCount,
            ["timestamp"] = DateTime.UtcNow.ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture),
            ["use_power_iteration"] = false,
        };
        AtomicFile.WriteText(path, w => w.Write(json.ToJsonString(new JsonSerializerOptions { WriteIndented = true })));
    }
}
