using System.Globalization;
using System.Text.Json.Nodes;
using SharpEdge.Numerics.Io;
using SharpEdge.Runs;

namespace SharpEdge.Sweeps;

/// <summary>
/// One number per task's run for sweep figures, looked up in this order:
/// a metric of the run (e.g. <c>lambda_max</c>): the mean of its last third of recorded values, the plateau;
/// <c>final_loss</c> of a phase cell: the mean over its models of the last saved loss in its data.npz;
/// a column of <c>phase analyze</c>'s <c>cells.csv</c> (in OUT/analysis) on the row of the run's lr and eps.
/// </summary>
public static class SweepObservable
{
    public const string FinalLoss = "final_loss";

    /// <summary>The value, or null with why there is none.</summary>
    public static (double? Value, string? Missing) Of(RunStore store, RunRecord run, string observable)
    {
        var metric = observable.Replace('-', '_');
        var rows = store.Metrics(run.Id, metric);
        if (rows.Count > 0) return (Plateau(rows.Select(r => r.Value).ToList()), null);
        if (run.Kind == "phase" && metric == FinalLoss) return PhaseFinalLoss(run);
        if (run.Kind == "phase" && CellsColumn(run, observable) is { } cell) return cell;
        var names = store.MetricNames(run.Id);
        return (null, $"run {run.Id} has no metric '{metric}' (it has {(names.Count == 0 ? "none" : string.Join(", ", names))}" +
                      (run.Kind == "phase" ? $"; phase runs also give {FinalLoss} and the columns of `phase analyze`'s cells.csv" : "") + ")");
    }

    /// <summary>Mean of the finite values among the last third (at least one) of a metric's recorded values.</summary>
    public static double Plateau(IReadOnlyList<double> values)
    {
        int take = Math.Max(1, (values.Count + 2) / 3);
        var tail = values.Skip(values.Count - take).Where(double.IsFinite).ToList();
        return tail.Count == 0 ? double.NaN : tail.Average();
    }

    private static (double?, string?) PhaseFinalLoss(RunRecord run)
    {
        var path = run.Folder is null ? null : Path.Combine(run.Folder, "data.npz");
        if (path is null || !File.Exists(path)) return (null, $"run {run.Id}: no data.npz in {run.Folder}");
        var arrays = Npz.Read(path);
        if (!arrays.TryGetValue("loss", out var loss) || loss.Shape.Length != 2) return (null, $"{path}: no [models, slots] 'loss' array");
        var values = loss.AsFloat64();
        int models = loss.Shape[0], slots = loss.Shape[1];
        var last = Enumerable.Range(0, models).Select(m => values[m * slots + slots - 1]).Where(double.IsFinite).ToList();
        return (last.Count == 0 ? double.NaN : last.Average(), null);
    }

    private static (double?, string?)? CellsColumn(RunRecord run, string column)
    {
        if (run.Config["out"] is not JsonValue outValue || !outValue.TryGetValue(out string? root)) return null;
        var path = Path.Combine(root, "analysis", "cells.csv");
        if (!File.Exists(path)) return null;
        var lines = File.ReadAllLines(path);
        var header = lines[0].Split(',');
        int c = Array.IndexOf(header, column), lr = Array.IndexOf(header, "lr"), eps = Array.IndexOf(header, "eps");
        if (c < 0 || lr < 0 || eps < 0) return null;
        double runLr = run.Config["lr"]!.GetValue<double>(), runEps = run.Config["eps"]!.GetValue<double>();
        foreach (var line in lines.Skip(1))
        {
            var f = line.Split(',');
            if (f.Length != header.Length || Parse(f[lr]) != runLr || Parse(f[eps]) != runEps) continue;
            return (Parse(f[c]), null);
        }
        return (null, $"{path}: no row for lr={runLr} eps={runEps}");
    }

    private static double Parse(string text) =>
        double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out var v) ? v : double.NaN;
}
