using System.Globalization;
using System.Text.Json.Nodes;
using Microsoft.Data.Sqlite;
using SharpEdge.Runs;

namespace SharpEdge.Dashboard;

/// <summary>
/// A synthetic results folder for <c>bench serve</c> and the documentation's screenshots: many small runs, one
/// long run whose λ_max and batch sharpness climb to 2/η and hover there (EoSS-like), and a learning-rate × width
/// sweep with two seeds per cell. Deterministic (fixed seeds).
/// </summary>
public static class BenchmarkStore
{
    public sealed record Contents(long LongRun, long LiveRun, IReadOnlyList<long> Sweep, string Folder);

    public static Contents Create(string resultsFolder, int runs, int points)
    {
        if (runs < 1) throw new ArgumentException("--runs: at least 1");
        if (points < 10) throw new ArgumentException("--points: at least 10");
        using var store = RunStore.Open(resultsFolder);
        var random = new Random(12345);
        string[] models = ["mlp", "mlp2", "mlp_s", "mlp_l", "mlp_tanh", "cnn"], datasets = ["fmnist-mini", "cifar10", "mnist", "svhn"];
        RunStatus[] statuses = [RunStatus.Finished, RunStatus.Finished, RunStatus.Finished, RunStatus.Diverged, RunStatus.Failed, RunStatus.Interrupted];
        double[] lrs = [0.005, 0.01, 0.02, 0.05, 0.1];

        double longLr = 0.05;
        long longRun = store.CreateRun(Train("eoss mlp fmnist lr=0.05", "mlp", "fmnist-mini", longLr, RunStatus.Finished, ["baseline", "eoss"]));
        store.AppendMetrics(longRun, EossCurves(points, longLr, random));
        store.Finish(longRun, RunStatus.Finished, 3600.0 * points / 100_000);

        var sweep = new List<long>();
        for (int i = 0; i < runs - 2; i++)
        {
            var run = Train($"run-{i:D5} {models[i % models.Length]}", models[i % models.Length], datasets[i / 7 % datasets.Length],
                lrs[i / 3 % lrs.Length], statuses[i % statuses.Length], i % 10 == 0 ? ["lr-sweep"] : []);
            long id = store.CreateRun(run);
            store.AppendMetrics(id, Enumerable.Range(0, 20).Select(k => new MetricRow(k * 50L, null, "loss", 2.3 * Math.Exp(-k / (5.0 + i % 11)) + 0.01 * random.NextDouble())));
            sweep.Add(id);
        }

        long liveRun = store.CreateRun(Train("live mlp2 cifar10 lr=0.02", "mlp2", "cifar10", 0.02, RunStatus.Running, ["eoss"]));
        store.AppendMetrics(liveRun, EossCurves(2000, 0.02, random));
        var gridRuns = AddSweep(store, random);
        return new Contents(longRun, liveRun, gridRuns, Path.GetFullPath(resultsFolder));
    }

    private static RunRecord Train(string name, string model, string dataset, double lr, RunStatus status, string[] tags) => new()
    {
        Name = name, Kind = "train", Status = status, Tags = tags,
        Config = new JsonObject { ["dataset"] = dataset, ["model"] = model, ["lr"] = lr, ["batch"] = 8, ["optimizer"] = "sgd", ["loss"] = "mse" },
    };

    /// <summary>Loss every step; λ_max, batch sharpness (with standard errors), GNI and accuracy every 1 % of the steps.</summary>
    private static IEnumerable<MetricRow> EossCurves(int points, double lr, Random random)
    {
        double threshold = 2 / lr;
        int every = Math.Max(1, points / 100);
        for (int step = 0; step < points; step++)
        {
            double t = (double)step / points;
            double loss = 0.05 + 2.2 * Math.Exp(-6 * t) + 0.08 * Math.Abs(Gaussian(random)) * (0.3 + Math.Exp(-3 * t));
            yield return new MetricRow(step, t * 50, "loss", loss);
            if (step % every != 0) continue;
            double progressive = threshold * (0.25 + 0.75 * (1 - Math.Exp(-5 * t)));
            double lambda = Math.Min(progressive, threshold * (1.02 + 0.03 * Gaussian(random)));
            yield return new MetricRow(step, t * 50, "lambda_max", lambda, 0.01 * lambda, 20);
            yield return new MetricRow(step, t * 50, "batch_sharpness", 0.92 * lambda + 0.02 * threshold * Gaussian(random), 0.03 * lambda, 500);
            yield return new MetricRow(step, t * 50, "gni", 0.9 * threshold * (1 - Math.Exp(-4 * t)) + 0.05 * threshold * Gaussian(random));
            yield return new MetricRow(step, t * 50, "accuracy", 0.1 + 0.85 * (1 - Math.Exp(-5 * t)));
        }
    }

    /// <summary>Sweep "lr-width": 8 learning rates × 6 widths × 2 seeds, λ_max plateaus near min(2/η, a width-dependent
    /// sharpness); the last column still pending.</summary>
    private static List<long> AddSweep(RunStore store, Random random)
    {
        double[] lrs = [0.005, 0.01, 0.02, 0.03, 0.05, 0.08, 0.1, 0.2];
        int[] widths = [16, 32, 64, 128, 256, 512];
        using var connection = new SqliteConnection($"Data Source={store.DatabasePath}");
        connection.Open();
        using (var create = connection.CreateCommand())
        {
            // the sweep tables as the sweep work lays them out (IF NOT EXISTS: a store migrated by it already has them)
            create.CommandText =
                """
                CREATE TABLE IF NOT EXISTS sweeps (name TEXT PRIMARY KEY, command TEXT NOT NULL, spec TEXT NOT NULL, folder TEXT NOT NULL,
                    workdir TEXT NOT NULL, backend TEXT NOT NULL, created TEXT NOT NULL, host TEXT, pid INTEGER);
                CREATE TABLE IF NOT EXISTS tasks (sweep TEXT NOT NULL REFERENCES sweeps(name) ON DELETE CASCADE, key TEXT NOT NULL,
                    position INTEGER NOT NULL, label TEXT NOT NULL, axes TEXT NOT NULL CHECK (json_valid(axes)), args TEXT NOT NULL CHECK (json_valid(args)),
                    state TEXT NOT NULL CHECK (state IN ('pending', 'running', 'done', 'failed', 'cancelled')),
                    attempts INTEGER NOT NULL DEFAULT 0, error TEXT, run_id INTEGER REFERENCES runs(id) ON DELETE SET NULL, host TEXT,
                    runner_pid INTEGER, pid INTEGER, job TEXT, started TEXT, finished TEXT, seconds REAL, PRIMARY KEY (sweep, key));
                INSERT OR IGNORE INTO sweeps (name, command, spec, folder, workdir, backend, created)
                VALUES ('lr-width', 'train', 'name: lr-width', 'sweeps/lr-width', '.', 'local', '2026-01-01T00:00:00.000Z');
                """;
            create.ExecuteNonQuery();
        }
        var ids = new List<long>();
        int position = 0;
        foreach (var lr in lrs)
            foreach (var width in widths)
                for (int seed = 0; seed < 2; seed++)
                {
                    string state = lr == lrs[^1] ? (seed == 0 ? "running" : "pending") : lr == lrs[^2] && width == 512 && seed == 1 ? "failed" : "done";
                    long? runId = null;
                    if (state == "done")
                    {
                        runId = store.CreateRun(new RunRecord
                        {
                            Name = $"lr-width lr={Text(lr)} width={width} seed={seed}", Kind = "train", Status = RunStatus.Finished,
                            Config = new JsonObject { ["model"] = $"mlp:784-{width}-10:tanh", ["dataset"] = "fmnist-mini", ["lr"] = lr, ["seed"] = seed },
                        });
                        double plateau = Math.Min(2 / lr, 40 * Math.Sqrt(width / 16.0)) * (1 + 0.05 * Gaussian(random));
                        store.AppendMetrics(runId.Value, Enumerable.Range(0, 30).Select(k => new MetricRow(k * 100L, null, "lambda_max", plateau * (1 - Math.Exp(-k / 4.0)))));
                        ids.Add(runId.Value);
                    }
                    using var insert = connection.CreateCommand();
                    insert.CommandText =
                        "INSERT OR IGNORE INTO tasks (sweep, key, position, label, axes, args, state, run_id, error) VALUES ('lr-width', $key, $pos, $label, $axes, '[]', $state, $run, $error)";
                    insert.Parameters.AddWithValue("$key", $"t{position}");
                    insert.Parameters.AddWithValue("$pos", position++);
                    insert.Parameters.AddWithValue("$label", $"lr={Text(lr)} width={width} seed={seed}");
                    insert.Parameters.AddWithValue("$axes", $$"""{"lr":"{{Text(lr)}}","width":"{{width}}","seed":"{{seed}}"}""");
                    insert.Parameters.AddWithValue("$state", state);
                    insert.Parameters.AddWithValue("$run", (object?)runId ?? DBNull.Value);
                    insert.Parameters.AddWithValue("$error", state == "failed" ? "exit code 137 (killed)" : DBNull.Value);
                    insert.ExecuteNonQuery();
                }
        return ids;
    }

    private static string Text(double value) => value.ToString(CultureInfo.InvariantCulture);

    private static double Gaussian(Random random) =>
        Math.Sqrt(-2 * Math.Log(1 - random.NextDouble())) * Math.Cos(2 * Math.PI * random.NextDouble());
}
