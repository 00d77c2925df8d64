using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using SharpEdge.Runs;
using SharpEdge.Sweeps;

namespace SharpEdge.Cli.Commands;

/// <summary>
/// <c>phase sweep</c> on the sweep engine: the cells to train become tasks of the sweep <c>phase-sweep-HASH</c> (one
/// per output folder), each a <c>phase train</c> process of the local pool, with their state in the run store
/// (<c>sharpedge sweep status phase-sweep-HASH</c>). The spec is written as YAML and read back by the same reader
/// as <c>sweep run</c>'s, so <c>sweep resume</c> works on it too.
/// </summary>
internal static class PhaseSweepFrontEnd
{
    public sealed record TrainedCell(double LearningRate, double StudentWidth, string Path, int Diverged, double Seconds);

    /// <param name="flags">the <c>phase train</c> flags every cell shares (all but --lr and --eps), name first</param>
    public static IReadOnlyList<TrainedCell> Train(RunStore store, string resultsFolder, string outputRoot, IReadOnlyList<(string Flag, string Value)> flags,
                                                   IReadOnlyList<(double Lr, double Eps)> cells, int? workers, int? threadsPerWorker)
    {
        if (cells.Count == 0) return [];
        string root = Path.GetFullPath(outputRoot);
        string name = "phase-sweep-" + Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(root)))[..8];
        string Q(string text) => "'" + text.Replace("'", "''") + "'";
        string List(IEnumerable<double> values) => "[" + string.Join(", ", values.Select(v => Q(AxisValues.Format(v)))) + "]";
        var yaml = new StringBuilder()
            .Append($"name: {name}\ncommand: phase train\nargs:\n")
            .Append(string.Concat(flags.Select(f => $"  {f.Flag.TrimStart('-')}: {Q(f.Value)}\n")))
            .Append($"  out: {Q(root)}\n")
            .Append($"zip:\n  - lr: {List(cells.Select(c => c.Lr))}\n    eps: {List(cells.Select(c => c.Eps))}\n")
            .ToString();
        var spec = SweepSpecReader.Parse(yaml, "phase sweep");
        var tasks = SweepExpansion.Expand(spec);
        var sweep = new SweepRecord
        {
            Name = name, Command = spec.Command, Spec = yaml, Folder = SweepFolder.For(resultsFolder, name).Root, WorkingDirectory = Directory.GetCurrentDirectory(),
        };
        store.RegisterSweep(sweep, tasks.Select(t => t.ToDraft()).ToList());
        var keys = tasks.Select(t => t.Key).ToList();
        store.RequeueTasks(name, keys, includeDone: true);   // these cells have no data.npz (any more): train them
        var (count, threads) = WorkerFit.Choose(Environment.ProcessorCount, keys.Count, workers, threadsPerWorker);
        CommandRunner.Log($"phase sweep: {keys.Count} cell(s) to train as sweep {name}, {count} worker process(es) × {threads} thread(s)");
        var line = new ProgressLine("phase sweep");
        var pool = new LocalPool(store, store.FindSweep(name)!, TaskLauncher.Self(), count, threads, spec.Retries)
        {
            Keys = keys, Log = CommandRunner.Log,
            Progress = p => line.Report(p.Fraction, p.Remaining, $"{p.Done}/{p.Total} cells, {p.Failed} failed, {p.Running} running"),
        };
        pool.Run();
        line.Done();

        var folder = new SweepFolder(sweep.Folder);
        var failed = keys.Select(k => store.FindTask(name, k)!).Where(t => t.State != SweepTaskState.Done).ToList();
        if (failed.Count > 0)
            throw new InvalidOperationException($"phase sweep: {failed.Count} cell(s) failed ({failed[0].Label}: {failed[0].Error}); " +
                                                $"see `sharpedge sweep status {name}`, retry with `sharpedge sweep resume {name}`");
        return tasks.Select(t =>
        {
            using var result = JsonDocument.Parse(File.ReadAllText(Path.Combine(folder.Task(t.Key), SweepFolder.StdoutFile)));
            var r = result.RootElement;
            double Axis(string key) => double.Parse(t.AxisValues.Single(a => a.Key == key).Value, CultureInfo.InvariantCulture);
            return new TrainedCell(Axis("lr"), Axis("eps"), r.GetProperty("path").GetString()!, r.GetProperty("diverged").GetInt32(), r.GetProperty("seconds").GetDouble());
        }).ToList();
    }
}
