using System.Diagnostics;
using System.Text.Json.Nodes;
using Microsoft.Data.Sqlite;
using SharpEdge.Tests;

namespace SharpEdge.Runs.Tests;

public sealed class RunStoreTests : IDisposable
{
    private readonly TempFolder temp = new();

    public void Dispose() => temp.Dispose();

    private RunStore Open() => RunStore.Open(temp.Path);

    internal static RunRecord Draft(string name, string kind = "train") => new()
    {
        Name = name,
        Kind = kind,
        Config = new JsonObject { ["lr"] = 0.01, ["batch"] = 8, ["model"] = "mlp" },
        Tags = ["smoke"],
    };

    [Fact]
    public void ResultsFolderPrefersExplicitPathThenEnvironment()
    {
        Assert.Equal(Path.GetFullPath("/tmp/x"), ResultsFolder.Resolve("/tmp/x"));
        string? saved = Environment.GetEnvironmentVariable(ResultsFolder.EnvironmentVariable);
        try
        {
            Environment.SetEnvironmentVariable(ResultsFolder.EnvironmentVariable, "/tmp/from-env");
            Assert.Equal("/tmp/from-env", ResultsFolder.Resolve(null));
            Environment.SetEnvironmentVariable(ResultsFolder.EnvironmentVariable, null);
            Assert.Equal(Path.GetFullPath("results"), ResultsFolder.Resolve(null));
        }
        finally
        {
            Environment.SetEnvironmentVariable(ResultsFolder.EnvironmentVariable, saved);
        }
    }

    [Fact]
    public void RunsAndMetricsRoundTrip()
    {
        using var store = Open();
        Assert.Equal(Path.Combine(temp.Path, "runs.db"), store.DatabasePath);
        long first = store.CreateRun(Draft("cifar_mlp_b8"));
        long second = store.CreateRun(Draft("cifar_mlp_b8") with { ParentId = first, ForkStep = 500, Folder = "/r/2", Tags = ["fork", "smoke"] });
        long phase = store.CreateRun(Draft("ts_eps0.125_lr1", kind: "phase"));

        var run = store.GetRun(second);
        Assert.Equal("cifar_mlp_b8", run.Name);
        Assert.Equal("train", run.Kind);
        Assert.Equal(RunStatus.Running, run.Status);
        Assert.Equal(0.01, run.Config["lr"]!.GetValue<double>());
        Assert.Equal(first, run.ParentId);
        Assert.Equal(500, run.ForkStep);
        Assert.Equal("/r/2", run.Folder);
        Assert.Equal(["fork", "smoke"], run.Tags);
        Assert.Equal(Environment.ProcessId, run.Pid);
        Assert.Equal(Environment.MachineName, run.Host);
        Assert.False(string.IsNullOrEmpty(run.CodeVersion));
        Assert.Equal(DateTimeKind.Utc, run.Created.Kind);
        Assert.InRange(DateTime.UtcNow - run.Created, TimeSpan.Zero, TimeSpan.FromMinutes(1));
        Assert.Null(run.Finished);

        // by id, by name (newest of that name), missing
        Assert.Equal(first, store.FindRun(first.ToString())!.Id);
        Assert.Equal(second, store.FindRun("cifar_mlp_b8")!.Id);
        Assert.Null(store.FindRun("nope"));

        store.UpdateStatus(first, RunStatus.Failed, "out of memory");
        store.UpdateStatus(first, RunStatus.Running); // resumed: the old error and finish time go
        Assert.Null(store.GetRun(first).Error);
        Assert.Null(store.GetRun(first).Finished);
        store.UpdateStatus(first, RunStatus.Diverged, "loss is nan at step 17");
        store.Finish(second, RunStatus.Finished, 12.5);
        var diverged = store.GetRun(first);
        Assert.Equal(RunStatus.Diverged, diverged.Status);
        Assert.Equal("loss is nan at step 17", diverged.Error);
        Assert.NotNull(diverged.Finished);
        var finished = store.GetRun(second);
        Assert.Equal(RunStatus.Finished, finished.Status);
        Assert.Equal(12.5, finished.Seconds);

        Assert.Equal([first, second, phase], store.ListRuns().Select(r => r.Id));
        Assert.Equal([phase], store.ListRuns(new RunFilter { Kind = "phase" }).Select(r => r.Id));
        Assert.Equal([second], store.ListRuns(new RunFilter { Status = RunStatus.Finished }).Select(r => r.Id));
        Assert.Equal([second], store.ListRuns(new RunFilter { Tag = "fork" }).Select(r => r.Id));
        Assert.Equal([second, phase], store.ListRuns(new RunFilter { Last = 2 }).Select(r => r.Id));
        Assert.Equal([first, second], store.ListRuns(new RunFilter { NameContains = "mlp" }).Select(r => r.Id));

        MetricRow[] rows =
        [
            new(0, 0.0, "batch_loss", 2.3),
            new(0, 0.0, "lambda_max", 10.5, Se: null, Samples: null),
            new(1, 0.125, "batch_loss", double.NaN),
            new(1, 0.125, "batch_sharpness", 40.25, Se: 0.5, Samples: 64),
            new(2, null, "batch_loss", double.PositiveInfinity),
        ];
        Assert.Equal(5, store.AppendMetrics(first, rows));
        Assert.Equal(["batch_loss", "batch_sharpness", "lambda_max"], store.MetricNames(first));
        var loss = store.Metrics(first, "batch_loss");
        Assert.Equal([0L, 1L, 2L], loss.Select(r => r.Step));
        Assert.Equal(2.3, loss[0].Value);
        Assert.True(double.IsNaN(loss[1].Value));
        Assert.Equal(double.PositiveInfinity, loss[2].Value);
        Assert.Null(loss[2].Epoch);
        var all = store.Metrics(first);
        Assert.Equal(rows.OrderBy(r => r.Step).ThenBy(r => r.Name, StringComparer.Ordinal).Select(r => (r.Step, r.Name)), all.Select(r => (r.Step, r.Name)));
        Assert.Equal(new MetricRow(1, 0.125, "batch_sharpness", 40.25, 0.5, 64), all.Single(r => r.Name == "batch_sharpness"));
        Assert.Empty(store.Metrics(second));

        // a repeated (name, step) replaces the old value (a resumed run repeating a step)
        store.AppendMetrics(first, [new MetricRow(0, 0.0, "batch_loss", 2.0)]);
        Assert.Equal(2.0, store.Metrics(first, "batch_loss")[0].Value);

        // reopening sees everything
        store.Dispose();
        using var again = RunStore.Open(temp.Path, readOnly: true);
        Assert.Equal(3, again.ListRuns().Count);
        Assert.Equal(5, again.Metrics(first).Count);
        var error = Assert.Throws<RunStoreException>(() => again.CreateRun(Draft("x")));
        Assert.Contains("read-only", error.Message);
    }

    [Fact]
    public void InvalidInputIsRejectedWithAMessageNamingTheProblem()
    {
        using var store = Open();
        Assert.Contains("name", Assert.Throws<ArgumentException>(() => store.CreateRun(Draft(" "))).Message);
        Assert.Contains("parent run 99", Assert.Throws<ArgumentException>(() => store.CreateRun(Draft("a") with { ParentId = 99 })).Message);
        Assert.Contains("fork step", Assert.Throws<ArgumentException>(() => store.CreateRun(Draft("a") with { ForkStep = 3 })).Message);
        Assert.Contains("cannot be written as JSON", Assert.Throws<ArgumentException>(() => store.CreateRun(Draft("a") with { Config = new JsonObject { ["lr"] = double.NaN } })).Message);
        long id = store.CreateRun(Draft("a"));
        Assert.Contains("no name", Assert.Throws<ArgumentException>(() => store.AppendMetrics(id, [new MetricRow(3, null, "", 1)])).Message);
        Assert.Contains("no run with id 42", Assert.Throws<RunStoreException>(() => store.AppendMetrics(42, [new MetricRow(3, null, "x", 1)])).Message);
        Assert.Contains("no run with id 42", Assert.Throws<RunStoreException>(() => store.GetRun(42)).Message);
        Assert.Contains("final status", Assert.Throws<ArgumentException>(() => store.Finish(id, RunStatus.Running, 1)).Message);
    }

    [Fact]
    public void EmptyFileIsMigratedToTheCurrentSchema()
    {
        string path = temp.File("runs.db");
        File.WriteAllBytes(path, []);
        using (var store = RunStore.OpenFile(path))
            store.CreateRun(Draft("first"));
        using var raw = new SqliteConnection($"Data Source={path};Pooling=False");
        raw.Open();
        using var command = raw.CreateCommand();
        command.CommandText = "PRAGMA user_version";
        Assert.Equal((long)RunStore.SchemaVersion, (long)command.ExecuteScalar()!);
        command.CommandText = "PRAGMA journal_mode";
        Assert.Equal("wal", (string)command.ExecuteScalar()!);
        command.CommandText = "SELECT group_concat(name, ',') FROM (SELECT name FROM sqlite_schema WHERE type = 'table' ORDER BY name)";
        Assert.Equal("metrics,runs,sweeps,tasks", (string)command.ExecuteScalar()!);
    }

    [Fact]
    public void NewerSchemaAndForeignDatabasesAreRefused()
    {
        string newer = temp.File("newer.db");
        string foreign = temp.File("foreign.db");
        using (var raw = new SqliteConnection($"Data Source={newer};Pooling=False"))
        {
            raw.Open();
            using var command = raw.CreateCommand();
            command.CommandText = "PRAGMA user_version = 999";
            command.ExecuteNonQuery();
        }
        using (var raw = new SqliteConnection($"Data Source={foreign};Pooling=False"))
        {
            raw.Open();
            using var command = raw.CreateCommand();
            command.CommandText = "CREATE TABLE songs (title TEXT)";
            command.ExecuteNonQuery();
        }
        var tooNew = Assert.Throws<RunStoreException>(() => RunStore.OpenFile(newer));
        Assert.Contains(newer, tooNew.Message);
        Assert.Contains("newer", tooNew.Message);
        var other = Assert.Throws<RunStoreException>(() => RunStore.OpenFile(foreign));
        Assert.Contains("not a SharpEdge run store", other.Message);
        Assert.Contains("songs", other.Message);
    }

    [Fact]
    public void CorruptFileGivesAClearMessageNamingTheFile()
    {
        string path = temp.File("runs.db");
        File.WriteAllText(path, "this is not a database, just some text that happens to be here\n" + new string('x', 5000));
        var error = Assert.Throws<RunStoreException>(() => RunStore.OpenFile(path));
        Assert.Equal(path, error.StorePath);
        Assert.StartsWith(path + ": ", error.Message);
        Assert.Contains("not a SQLite database", error.Message);

        var missing = Assert.Throws<RunStoreException>(() => RunStore.OpenFile(temp.File("absent.db"), readOnly: true));
        Assert.Contains("does not exist", missing.Message);
    }

    [Fact]
    public void DamagedPagesGiveAClearMessageNamingTheFile()
    {
        string path = temp.File("runs.db");
        using (var store = RunStore.OpenFile(path))
        {
            long id = store.CreateRun(Draft("victim"));
            store.AppendMetrics(id, Enumerable.Range(0, 5000).Select(s => new MetricRow(s, null, "loss", s)));
        }
        using (var file = new FileStream(path, FileMode.Open, FileAccess.Write))
        {
            file.Position = 4096; // keep page 1 (header and schema), scribble over the pages after it
            file.Write(Enumerable.Repeat((byte)0xA5, 16384).ToArray());
        }
        var error = Assert.Throws<RunStoreException>(() =>
        {
            using var store = RunStore.OpenFile(path);
            store.Metrics(store.ListRuns()[0].Id);
        });
        Assert.StartsWith(path + ": ", error.Message);
        Assert.Contains("corrupt", error.Message);
    }

    [Fact]
    public void MarkInterruptedFlagsRunsWhoseProcessIsGone()
    {
        using var store = Open();
        using var finished = Process.Start(new ProcessStartInfo("sh", ["-c", "exit 0"]))!;
        finished.WaitForExit();
        using var sleeper = Process.Start(new ProcessStartInfo("sleep", ["30"]))!;
        try
        {
            long dead = store.CreateRun(Draft("dead") with { Pid = finished.Id });
            long alive = store.CreateRun(Draft("alive") with { Pid = sleeper.Id });
            long mine = store.CreateRun(Draft("mine"));
            long elsewhere = store.CreateRun(Draft("elsewhere") with { Pid = finished.Id, Host = "some-other-node" });
            long reused = store.CreateRun(Draft("reused") with { Pid = sleeper.Id });
            long done = store.CreateRun(Draft("done") with { Pid = finished.Id });
            store.Finish(done, RunStatus.Finished, 1);
            // 'reused' was created long before the sleeper started: its pid now belongs to another process
            using (var raw = new SqliteConnection($"Data Source={store.DatabasePath};Pooling=False"))
            {
                raw.Open();
                using var command = raw.CreateCommand();
                command.CommandText = $"UPDATE runs SET created = '2001-01-01T00:00:00.000Z' WHERE id = {reused}";
                command.ExecuteNonQuery();
            }

            var marked = store.MarkInterrupted();

            Assert.Equal([dead, reused], marked.Order());
            Assert.Equal(RunStatus.Interrupted, store.GetRun(dead).Status);
            Assert.Contains($"process {finished.Id}", store.GetRun(dead).Error);
            Assert.NotNull(store.GetRun(dead).Finished);
            Assert.Equal(RunStatus.Running, store.GetRun(alive).Status);
            Assert.Equal(RunStatus.Running, store.GetRun(mine).Status);
            Assert.Equal(RunStatus.Running, store.GetRun(elsewhere).Status);
            Assert.Equal(RunStatus.Finished, store.GetRun(done).Status);
            Assert.Empty(store.MarkInterrupted());
        }
        finally
        {
            sleeper.Kill();
        }
    }

    [Fact]
    public void A_resumed_run_is_owned_by_the_resuming_process_and_drops_the_rows_it_recomputes()
    {
        using var store = Open();
        using var finished = Process.Start(new ProcessStartInfo("sh", ["-c", "exit 0"]))!;
        finished.WaitForExit();
        long id = store.CreateRun(Draft("crashed") with { Pid = finished.Id });
        store.AppendMetrics(id, [.. Enumerable.Range(0, 10).Select(s => new MetricRow(s, s / 4.0, "loss", s)), new MetricRow(6, 1.5, "lambda_max", 3)]);
        Assert.Equal([id], store.MarkInterrupted());

        store.Reopen(id);
        var run = store.GetRun(id);
        Assert.Equal(RunStatus.Running, run.Status);
        Assert.Equal(Environment.ProcessId, run.Pid);
        Assert.Null(run.Error);
        Assert.Null(run.Finished);
        Assert.InRange(DateTime.UtcNow - run.Resumed!.Value, TimeSpan.Zero, TimeSpan.FromMinutes(1));
        Assert.Contains("is running", Assert.Throws<RunStoreException>(() => store.Reopen(id)).Message);

        // liveness is judged against the time the process took the run over, not the run's creation
        using var sleeper = Process.Start(new ProcessStartInfo("sleep", ["30"]))!;
        try
        {
            void Sql(string text)
            {
                using var raw = new SqliteConnection($"Data Source={store.DatabasePath};Pooling=False");
                raw.Open();
                using var command = raw.CreateCommand();
                command.CommandText = text;
                command.ExecuteNonQuery();
            }
            Sql($"UPDATE runs SET created = '2001-01-01T00:00:00.000Z', pid = {sleeper.Id}, resumed = '{DateTime.UtcNow:yyyy-MM-dd'T'HH:mm:ss.fff'Z'}' WHERE id = {id}");
            Assert.Empty(store.MarkInterrupted());
            Sql($"UPDATE runs SET resumed = NULL WHERE id = {id}");
            Assert.Equal([id], store.MarkInterrupted());   // then the sleeper only reuses the pid of the run's process
        }
        finally
        {
            sleeper.Kill();
        }

        Assert.Equal(5, store.DeleteMetricsFrom(id, 6));
        Assert.Equal([0L, 1, 2, 3, 4, 5], store.Metrics(id).Select(r => r.Step));
        store.UpdateConfig(id, new JsonObject { ["steps"] = 40 });
        Assert.Equal(40, store.GetRun(id).Config["steps"]!.GetValue<int>());
        Assert.Contains("no run with id 99", Assert.Throws<RunStoreException>(() => store.Reopen(99)).Message);
    }

    [Fact]
    public void A_version_1_store_gains_the_resumed_column_and_keeps_its_runs()
    {
        long id;
        using (var store = Open())
            id = store.CreateRun(Draft("old") with { ParentId = null });
        using (var raw = new SqliteConnection($"Data Source={temp.File("runs.db")};Pooling=False"))
        {
            raw.Open();
            using var command = raw.CreateCommand();
            command.CommandText = "DROP TABLE tasks; DROP TABLE sweeps; ALTER TABLE runs DROP COLUMN resumed; PRAGMA user_version = 1";   // the schema as version 1 shipped it
            command.ExecuteNonQuery();
        }
        Assert.Contains("open it once read-write", Assert.Throws<RunStoreException>(() => RunStore.Open(temp.Path, readOnly: true)).Message);
        using var migrated = Open();
        var run = migrated.GetRun(id);
        Assert.Equal("old", run.Name);
        Assert.Null(run.Resumed);
        migrated.Finish(id, RunStatus.Interrupted, 1);
        migrated.Reopen(id);
        Assert.NotNull(migrated.GetRun(id).Resumed);
    }

    [Fact]
    public void CodeVersionIsNeverEmpty() => Assert.False(string.IsNullOrWhiteSpace(CodeVersion.Current));
}
