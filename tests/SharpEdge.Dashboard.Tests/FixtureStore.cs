using System.Text.Json.Nodes;
using Microsoft.Data.Sqlite;
using SharpEdge.Runs;

namespace SharpEdge.Dashboard.Tests;

/// <summary>
/// A results folder made for the dashboard tests: three training runs (one with 100,000 loss points and a known
/// spike and dip), a phase run whose folder holds `phase analyze` output, a 3×2 sweep with two seeds per cell
/// (one cell still pending) and files to attempt path traversal with. Deleted on dispose.
/// </summary>
public sealed class FixtureStore : IDisposable
{
    public const int LongSeries = 100_000;
    public const long SpikeStep = 61_234, DipStep = 7_777;
    public const double SpikeValue = 50.0, DipValue = 1e-4;
    public static readonly double[] SweepLrs = [0.01, 0.02, 0.05];
    public static readonly double[] SweepEps = [1, 2];

    public FixtureStore()
    {
        Root = Path.Combine(Path.GetTempPath(), "sharpedge-dash-" + Guid.NewGuid().ToString("N"));
        Results = Path.Combine(Root, "results");
        Directory.CreateDirectory(Results);
        File.WriteAllText(Path.Combine(Root, "secret.txt"), "outside the results folder");
        using var store = RunStore.Open(Results);

        LongRun = store.CreateRun(Train("eoss-long", "mlp", "fmnist-mini", 0.05, RunStatus.Finished, "baseline"));
        var folder = Path.Combine(Results, "runs", LongRun.ToString(System.Globalization.CultureInfo.InvariantCulture));
        Directory.CreateDirectory(folder);
        File.WriteAllText(Path.Combine(folder, "results.txt"), "step loss\n0 2.3\n");
        File.CreateSymbolicLink(Path.Combine(folder, "escape.txt"), Path.Combine(Root, "secret.txt"));
        store.SetFolder(LongRun, folder);
        store.AppendMetrics(LongRun, LongLoss());
        store.AppendMetrics(LongRun, Enumerable.Range(0, 100).Select(i => new MetricRow(i * 1000L, null, "lambda_max", 10 + 0.3 * i, 0.5, 8)));
        store.AppendMetrics(LongRun, Enumerable.Range(0, 100).Select(i => new MetricRow(i * 1000L, null, "batch_sharpness", 8 + 0.3 * i, 0.4, 64)));
        store.AppendMetrics(LongRun, Enumerable.Range(0, 100).Select(i => new MetricRow(i * 1000L, null, "gni", 20 + 0.2 * i)));
        store.AppendMetrics(LongRun, Enumerable.Range(0, 100).Select(i => new MetricRow(i * 1000L, null, "accuracy", 0.5 + 0.004 * i)));

        LiveRun = store.CreateRun(Train("eoss-live", "mlp2", "cifar10", 0.01, RunStatus.Running));
        store.AppendMetrics(LiveRun, Enumerable.Range(0, 500).Select(i => new MetricRow(i, null, "loss", 1.0 / (1 + i))));
        store.AppendMetrics(LiveRun, Enumerable.Range(0, 5).Select(i => new MetricRow(i * 100L, null, "lambda_max", 150 + i, 2.0, 8)));

        DivergedRun = store.CreateRun(Train("eoss-diverged", "mlp", "fmnist-mini", 2.0, RunStatus.Diverged, "lr-sweep"));
        store.AppendMetrics(DivergedRun, [new MetricRow(0, null, "loss", 2.3), new MetricRow(1, null, "loss", double.NaN)]);

        PhaseFolder = Path.Combine(Results, "phase1");
        PhaseRun = store.CreateRun(new RunRecord
        {
            Name = "phase lr=1 eps=1", Kind = "phase", Status = RunStatus.Finished,
            Config = new JsonObject { ["lr"] = 1.0, ["eps"] = 1.0, ["out"] = PhaseFolder },
            Folder = Path.Combine(PhaseFolder, "lr_1_eps_1"),
        });
        Directory.CreateDirectory(Path.Combine(PhaseFolder, "figures"));
        Directory.CreateDirectory(Path.Combine(PhaseFolder, "analysis"));
        File.WriteAllBytes(Path.Combine(PhaseFolder, "figures", "phase_diagram.png"), TinyPng);
        File.WriteAllText(Path.Combine(PhaseFolder, "analysis", "cells.csv"), "lr,eps,test_loss\n1,1,0.25\n1,2,0.5\n");
        OutsidePhaseFolder = Path.Combine(Root, "phase-outside");
        Directory.CreateDirectory(Path.Combine(OutsidePhaseFolder, "figures"));
        File.WriteAllBytes(Path.Combine(OutsidePhaseFolder, "figures", "outside.png"), TinyPng);
        store.CreateRun(new RunRecord
        {
            Name = "phase outside", Kind = "phase", Status = RunStatus.Finished,
            Config = new JsonObject { ["lr"] = 2.0, ["eps"] = 1.0, ["out"] = OutsidePhaseFolder },
        });

        SweepRuns = AddSweep(store);
    }

    public string Root { get; }
    public string Results { get; }
    public long LongRun { get; }
    public long LiveRun { get; }
    public long DivergedRun { get; }
    public long PhaseRun { get; }
    public string PhaseFolder { get; }
    public string OutsidePhaseFolder { get; }
    /// <summary>Runs of sweep "grid" by (lr, eps): two seeds each, none for the pending cell (0.05, 2).</summary>
    public Dictionary<(double Lr, double Eps), long[]> SweepRuns { get; }

    /// <summary>λ_max of a sweep run: what the heatmap's median over the two seeds must give.</summary>
    public static double SweepValue(double lr, double eps, int seed) => 2 / lr + 10 * eps + seed;

    public RunStore OpenWriter() => RunStore.Open(Results, busyTimeout: TimeSpan.Zero);

    public void Dispose()
    {
        SqliteConnection.ClearAllPools();
        try { Directory.Delete(Root, recursive: true); }
        catch (IOException) { }
    }

    private static RunRecord Train(string name, string model, string dataset, double lr, RunStatus status, params string[] tags) => new()
    {
        Name = name, Kind = "train", Status = status, Tags = tags,
        Config = new JsonObject { ["dataset"] = dataset, ["model"] = model, ["lr"] = lr, ["batch"] = 8, ["optimizer"] = "sgd" },
    };

    private static IEnumerable<MetricRow> LongLoss()
    {
        for (int i = 0; i < LongSeries; i++)
        {
            double value = i == SpikeStep ? SpikeValue : i == DipStep ? DipValue : 1.0 + 0.5 * Math.Sin(i / 500.0) + 0.001 * (i % 7);
            yield return new MetricRow(i, i / 1000.0, "loss", value);
        }
    }

    private Dictionary<(double, double), long[]> AddSweep(RunStore store)
    {
        using var connection = new SqliteConnection($"Data Source={store.DatabasePath}");
        connection.Open();
        using (var create = connection.CreateCommand())
        {
            // the sweep tables as the sweep work lays them out; IF NOT EXISTS so a store that already has them also works
            create.CommandText =
                """
                CREATE TABLE IF NOT EXISTS sweeps (name TEXT PRIMARY KEY, command TEXT NOT NULL, spec TEXT NOT NULL, folder TEXT NOT NULL,
                    workdir TEXT NOT NULL, backend TEXT NOT NULL, created TEXT NOT NULL, host TEXT, pid INTEGER);
                CREATE TABLE IF NOT EXISTS tasks (sweep TEXT NOT NULL REFERENCES sweeps(name) ON DELETE CASCADE, key TEXT NOT NULL,
                    position INTEGER NOT NULL, label TEXT NOT NULL, axes TEXT NOT NULL, args TEXT NOT NULL, state TEXT NOT NULL,
                    attempts INTEGER NOT NULL DEFAULT 0, error TEXT, run_id INTEGER REFERENCES runs(id) ON DELETE SET NULL, host TEXT,
                    runner_pid INTEGER, pid INTEGER, job TEXT, started TEXT, finished TEXT, seconds REAL, PRIMARY KEY (sweep, key));
                INSERT INTO sweeps (name, command, spec, folder, workdir, backend, created)
                VALUES ('grid', 'train', 'name: grid', 'sweeps/grid', '.', 'local', '2026-01-01T00:00:00.000Z');
                """;
            create.ExecuteNonQuery();
        }
        var runs = new Dictionary<(double, double), long[]>();
        int position = 0;
        foreach (var lr in SweepLrs)
            foreach (var eps in SweepEps)
            {
                var ids = new List<long>();
                for (int seed = 0; seed < 2; seed++)
                {
                    bool pending = lr == 0.05 && eps == 2;
                    long? runId = null;
                    if (!pending)
                    {
                        runId = store.CreateRun(new RunRecord
                        {
                            Name = $"grid lr={lr} eps={eps} seed={seed}", Kind = "train", Status = RunStatus.Finished,
                            Config = new JsonObject { ["model"] = "mlp", ["dataset"] = "fmnist-mini", ["lr"] = lr, ["eps"] = eps, ["seed"] = seed },
                        });
                        // early values differ; the plateau (last third) is the constant the heatmap must report
                        store.AppendMetrics(runId.Value, Enumerable.Range(0, 9).Select(k => new MetricRow(k, null, "lambda_max", k < 6 ? 1000 : SweepValue(lr, eps, seed))));
                        ids.Add(runId.Value);
                    }
                    using var insert = connection.CreateCommand();
                    insert.CommandText =
                        "INSERT INTO tasks (sweep, key, position, label, axes, args, state, run_id) VALUES ('grid', $key, $pos, $label, $axes, '[]', $state, $run)";
                    insert.Parameters.AddWithValue("$key", $"k{position}");
                    insert.Parameters.AddWithValue("$pos", position++);
                    insert.Parameters.AddWithValue("$label", $"lr={lr} eps={eps} seed={seed}");
                    insert.Parameters.AddWithValue("$axes", $$"""{"lr":"{{lr.ToString(System.Globalization.CultureInfo.InvariantCulture)}}","eps":"{{eps.ToString(System.Globalization.CultureInfo.InvariantCulture)}}","seed":"{{seed}}"}""");
                    insert.Parameters.AddWithValue("$state", pending ? "pending" : "done");
                    insert.Parameters.AddWithValue("$run", (object?)runId ?? DBNull.Value);
                    insert.ExecuteNonQuery();
                }
                runs[(lr, eps)] = [.. ids];
            }
        return runs;
    }

    /// <summary>A valid 1×1 PNG.</summary>
    public static readonly byte[] TinyPng = Convert.FromBase64String(
        "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNk+M9QDwADhgGAWjR9awAAAABJRU5ErkJggg==");
}
