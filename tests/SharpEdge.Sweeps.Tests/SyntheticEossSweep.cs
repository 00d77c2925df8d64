using System.Globalization;
using System.Text.Json.Nodes;
using SharpEdge.Runs;

namespace SharpEdge.Sweeps.Tests;

/// <summary>
/// A results store holding a finished EoSS sweep "eoss" (lr × batch × init-seed), written through the store's
/// own sweep API (register, then complete each task with its run and metrics) as a worker would. Every run
/// records 9 values of λ_max and batch sharpness: six transients of 1000, then three whose mean (the plateau) is
/// <see cref="LambdaMax"/> or <see cref="BatchSharpness"/>. The task (lr 0.1, batch 16, seed 2) has no batch
/// sharpness. Also a sweep "empty" with nothing done and a phase sweep "cells" whose runs have no SGD lr.
/// </summary>
public sealed class SyntheticEossSweep : IDisposable
{
    public static readonly double[] Lrs = [0.05, 0.1];
    public static readonly int[] Batches = [8, 16];
    /// <summary>What each seed adds to a plateau: mean 2, sample variance 7, so the standard error is √(7/3).</summary>
    public static readonly double[] SeedOffsets = [0, 1, 5];

    public SyntheticEossSweep()
    {
        Root = Path.Combine(Path.GetTempPath(), "sharpedge-synthetic-" + Guid.NewGuid().ToString("N"));
        Results = Path.Combine(Root, "results");
        using var store = RunStore.Open(Results);
        var drafts = new List<SweepTaskDraft>();
        foreach (var lr in Lrs)
            foreach (var batch in Batches)
                for (int seed = 0; seed < SeedOffsets.Length; seed++)
                {
                    var axes = new JsonObject { ["lr"] = Text(lr), ["batch"] = Text(batch), ["init-seed"] = Text(seed) };
                    drafts.Add(new SweepTaskDraft($"k{drafts.Count:D3}", drafts.Count, $"lr={lr} batch={batch} init-seed={seed}", axes.ToJsonString(),
                        ["--lr", Text(lr), "--batch", Text(batch), "--init-seed", Text(seed)]));
                }
        store.RegisterSweep(Sweep("eoss", "train"), drafts);
        foreach (var draft in drafts)
        {
            var axes = JsonNode.Parse(draft.Axes)!.AsObject();
            double lr = double.Parse(axes["lr"]!.GetValue<string>(), CultureInfo.InvariantCulture);
            int batch = int.Parse(axes["batch"]!.GetValue<string>(), CultureInfo.InvariantCulture);
            int seed = int.Parse(axes["init-seed"]!.GetValue<string>(), CultureInfo.InvariantCulture);
            var run = new RunRecord
            {
                Id = 1, Name = draft.Label, Kind = "train", Status = RunStatus.Finished,
                Config = new JsonObject { ["lr"] = lr, ["batch"] = batch, ["init_seed"] = seed, ["dataset"] = "fmnist-mini" },
            };
            var metrics = Plateau("lambda_max", LambdaMax(lr, batch, seed)).ToList();
            if (!(lr == 0.1 && batch == 16 && seed == 2)) metrics.AddRange(Plateau("batch_sharpness", BatchSharpness(lr, batch, seed)));
            store.CompleteTask("eoss", draft.Key, [(run, metrics)], 1.0);
        }

        store.RegisterSweep(Sweep("empty", "train"), [new SweepTaskDraft("e0", 0, "lr=0.1", """{"lr":"0.1"}""", ["--lr", "0.1"])]);

        store.RegisterSweep(Sweep("cells", "phase train"), [new SweepTaskDraft("c0", 0, "lr=1", """{"lr":"1"}""", ["--lr", "1"])]);
        var cell = new RunRecord { Id = 1, Name = "phase lr=1", Kind = "phase", Status = RunStatus.Finished, Config = new JsonObject { ["lr"] = 1.0 } };
        store.CompleteTask("cells", "c0", [(cell, Plateau("lambda_max", 3).ToList())], 1.0);
    }

    public string Root { get; }
    public string Results { get; }

    /// <summary>λ_max plateau: rises with the batch size, below 2/η, plus the seed's offset.</summary>
    public static double LambdaMax(double lr, int batch, int seed) => 0.1 * batch / lr + SeedOffsets[seed];

    /// <summary>Batch sharpness plateau: at 2/η, plus half the seed's offset.</summary>
    public static double BatchSharpness(double lr, int batch, int seed) => 2 / lr + 0.5 * SeedOffsets[seed];

    public RunStore Open() => RunStore.Open(Results, readOnly: true);

    public void Dispose()
    {
        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        try { Directory.Delete(Root, recursive: true); }
        catch (IOException) { }
    }

    /// <summary>Steps 0..8: six transients, then plateau − 1, plateau, plateau + 1 (the last third, mean = plateau).</summary>
    private static IEnumerable<MetricRow> Plateau(string name, double plateau) =>
        Enumerable.Range(0, 9).Select(k => new MetricRow(k * 10L, null, name, k < 6 ? 1000 : plateau + (k - 7)));

    private SweepRecord Sweep(string name, string command) => new()
    {
        Name = name, Command = command, Spec = "name: " + name, Folder = Path.Combine(Results, "sweeps", name), WorkingDirectory = Root,
    };

    private static string Text(double v) => v.ToString("R", CultureInfo.InvariantCulture);
}
