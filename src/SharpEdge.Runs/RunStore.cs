using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.Data.Sqlite;

namespace SharpEdge.Runs;

/// <summary>
/// The run index and metric store: one SQLite file, <c>runs.db</c>, in the results folder.
/// </summary>
/// <remarks>
/// WAL journal, so readers (a dashboard, <c>runs list</c>) never block the writer and see only committed
/// transactions. Every write is one <c>BEGIN IMMEDIATE</c> transaction, which takes the write lock up front, so
/// several processes can append to the same file: a writer that finds the lock held waits (SQLite's busy
/// timeout) and the whole transaction is retried on SQLITE_BUSY until <see cref="BusyTimeout"/> has passed.
/// The schema is migrated forward on open (<see cref="RunSchema"/>). An instance is safe to share between
/// threads (calls are serialised); open one per process.
/// </remarks>
public sealed partial class RunStore : IDisposable
{
    public const string FileName = "runs.db";
    public static readonly TimeSpan DefaultBusyTimeout = TimeSpan.FromSeconds(30);

    private const string TimeFormat = "yyyy-MM-dd'T'HH:mm:ss.fff'Z'";
    private const string RunColumns =
        "id, name, kind, status, config, created, started, finished, seconds, code_version, parent_id, fork_step, folder, error, host, pid, tags, resumed";

    private readonly SqliteConnection connection;
    private readonly Lock gate = new();

    private RunStore(string path, bool readOnly, TimeSpan busyTimeout)
    {
        DatabasePath = path;
        ReadOnly = readOnly;
        BusyTimeout = busyTimeout;
        var builder = new SqliteConnectionStringBuilder
        {
            DataSource = path,
            Mode = readOnly ? SqliteOpenMode.ReadOnly : SqliteOpenMode.ReadWriteCreate,
            Pooling = false,
            ForeignKeys = true,
            DefaultTimeout = (int)Math.Ceiling(busyTimeout.TotalSeconds),
        };
        connection = new SqliteConnection(builder.ToString());
    }

    /// <summary>The absolute path of the database file.</summary>
    public string DatabasePath { get; }
    public bool ReadOnly { get; }
    public TimeSpan BusyTimeout { get; }

    /// <summary>The schema version this build writes (<c>PRAGMA user_version</c>).</summary>
    public static int SchemaVersion => RunSchema.Latest;

    /// <summary>Opens (creating if needed) <c>runs.db</c> in the results folder (<see cref="ResultsFolder.Resolve"/>).</summary>
    public static RunStore Open(string? resultsFolder = null, bool readOnly = false, TimeSpan? busyTimeout = null)
    {
        string folder = ResultsFolder.Resolve(resultsFolder);
        return OpenFile(Path.Combine(folder, FileName), readOnly, busyTimeout);
    }

    /// <summary>Opens a store file by path; read-write opens create it (and its folder) and migrate it.</summary>
    public static RunStore OpenFile(string path, bool readOnly = false, TimeSpan? busyTimeout = null)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(path);
        var timeout = busyTimeout ?? DefaultBusyTimeout;
        if (timeout < TimeSpan.Zero) throw new ArgumentOutOfRangeException(nameof(busyTimeout), timeout, "busy timeout must not be negative");
        string full = Path.GetFullPath(path);
        if (Directory.Exists(full)) throw new RunStoreException(full, "is a folder, not a run store file");
        if (readOnly && !File.Exists(full)) throw new RunStoreException(full, "no run store here (the file does not exist)");
        if (!readOnly) Directory.CreateDirectory(Path.GetDirectoryName(full)!);
        var store = new RunStore(full, readOnly, timeout);
        try
        {
            store.Guard(store.Initialise);
            return store;
        }
        catch
        {
            store.Dispose();
            throw;
        }
    }

    public void Dispose() => connection.Dispose();

    // ---- runs -----------------------------------------------------------------------------------------------

    /// <summary>Inserts a new run and returns its id. See <see cref="RunRecord"/> for the fields the store fills.</summary>
    public long CreateRun(RunRecord draft)
    {
        ArgumentNullException.ThrowIfNull(draft);
        if (string.IsNullOrWhiteSpace(draft.Name)) throw new ArgumentException("a run needs a non-empty name", nameof(draft));
        if (string.IsNullOrWhiteSpace(draft.Kind)) throw new ArgumentException($"run '{draft.Name}' needs a non-empty kind (e.g. 'train' or 'phase')", nameof(draft));
        if (draft.ForkStep is not null && draft.ParentId is null)
            throw new ArgumentException($"run '{draft.Name}' has a fork step ({draft.ForkStep}) but no parent run", nameof(draft));
        if (draft.Tags.Any(string.IsNullOrWhiteSpace)) throw new ArgumentException($"run '{draft.Name}' has an empty tag", nameof(draft));
        if (draft.Config is null) throw new ArgumentException($"run '{draft.Name}' has a null config", nameof(draft));
        string config;
        try
        {
            config = draft.Config.ToJsonString();
        }
        catch (Exception e) when (e is ArgumentException or InvalidOperationException or NotSupportedException)
        {
            throw new ArgumentException($"run '{draft.Name}': config cannot be written as JSON ({e.Message})", nameof(draft), e);
        }
        string tags = JsonSerializer.Serialize(draft.Tags);
        var now = DateTime.UtcNow;
        return Guard(() => Write(() =>
        {
            if (draft.ParentId is long parent && !RunExists(parent))
                throw new ArgumentException($"run '{draft.Name}': parent run {parent} does not exist in {DatabasePath}", nameof(draft));
            using var command = Command(
                """
                INSERT INTO runs (name, kind, status, config, created, started, finished, seconds, code_version,
                                  parent_id, fork_step, folder, error, host, pid, tags)
                VALUES ($name, $kind, $status, $config, $created, $started, $finished, $seconds, $code,
                        $parent, $fork, $folder, $error, $host, $pid, $tags)
                RETURNING id
                """,
                ("$name", draft.Name), ("$kind", draft.Kind), ("$status", draft.Status.ToText()), ("$config", config),
                ("$created", FormatTime(now)), ("$started", FormatTime(draft.Started ?? now)),
                ("$finished", draft.Finished is DateTime f ? FormatTime(f) : null), ("$seconds", draft.Seconds),
                ("$code", draft.CodeVersion ?? CodeVersion.Current), ("$parent", draft.ParentId), ("$fork", draft.ForkStep),
                ("$folder", draft.Folder), ("$error", draft.Error), ("$host", draft.Host ?? Environment.MachineName),
                ("$pid", draft.Pid ?? Environment.ProcessId), ("$tags", tags));
            return (long)command.ExecuteScalar()!;
        }));
    }

    /// <summary>Sets the status and, when given, the error. A final status stamps <c>finished</c> if unset;
    /// going back to running (a resumed run) clears <c>finished</c> and any old error.</summary>
    public void UpdateStatus(long id, RunStatus status, string? error = null)
    {
        Guard(() => Write(() =>
        {
            using var command = Command(
                """
                UPDATE runs SET status = $status,
                       error = CASE WHEN $final THEN coalesce($error, error) ELSE $error END,
                       finished = CASE WHEN $final THEN coalesce(finished, $now) ELSE NULL END
                WHERE id = $id
                """,
                ("$status", status.ToText()), ("$error", error), ("$final", status.IsFinal()), ("$now", FormatTime(DateTime.UtcNow)), ("$id", id));
            if (command.ExecuteNonQuery() == 0) throw MissingRun(id);
            return 0;
        }));
    }

    /// <summary>Ends a run: final status, finish time now, and its wall-clock seconds.</summary>
    public void Finish(long id, RunStatus status, double seconds, string? error = null)
    {
        if (!status.IsFinal()) throw new ArgumentException($"Finish needs a final status, got '{status.ToText()}'", nameof(status));
        if (!double.IsFinite(seconds) || seconds < 0) throw new ArgumentOutOfRangeException(nameof(seconds), seconds, "run time must be a finite number of seconds ≥ 0");
        Guard(() => Write(() =>
        {
            using var command = Command(
                "UPDATE runs SET status = $status, finished = $now, seconds = $seconds, error = coalesce($error, error) WHERE id = $id",
                ("$status", status.ToText()), ("$now", FormatTime(DateTime.UtcNow)), ("$seconds", seconds), ("$error", error), ("$id", id));
            if (command.ExecuteNonQuery() == 0) throw MissingRun(id);
            return 0;
        }));
    }

    /// <summary>
    /// Takes a stopped run up again in this process (a resumed run): status running, this host and pid,
    /// <c>resumed</c> now, finish time and error cleared. Refused while the run is running, so two processes
    /// cannot resume the same run.
    /// </summary>
    public void Reopen(long id)
    {
        Guard(() => Write(() =>
        {
            using var command = Command(
                """
                UPDATE runs SET status = 'running', resumed = $now, finished = NULL, error = NULL, host = $host, pid = $pid
                WHERE id = $id AND status != 'running'
                """,
                ("$now", FormatTime(DateTime.UtcNow)), ("$host", Environment.MachineName), ("$pid", Environment.ProcessId), ("$id", id));
            if (command.ExecuteNonQuery() == 0)
                throw RunExists(id) ? new RunStoreException(DatabasePath, $"run {id} is running (owned by another process); it can be taken up only once stopped") : MissingRun(id);
            return 0;
        }));
    }

    /// <summary>Replaces the run's configuration (a resumed run asked for more steps).</summary>
    public void UpdateConfig(long id, JsonObject config)
    {
        ArgumentNullException.ThrowIfNull(config);
        string text = config.ToJsonString();
        Guard(() => Write(() =>
        {
            using var command = Command("UPDATE runs SET config = $config WHERE id = $id", ("$config", text), ("$id", id));
            if (command.ExecuteNonQuery() == 0) throw MissingRun(id);
            return 0;
        }));
    }

    /// <summary>Records where the run's folder is (often known only once the id is).</summary>
    public void SetFolder(long id, string? folder)
    {
        Guard(() => Write(() =>
        {
            using var command = Command("UPDATE runs SET folder = $folder WHERE id = $id", ("$folder", folder), ("$id", id));
            if (command.ExecuteNonQuery() == 0) throw MissingRun(id);
            return 0;
        }));
    }

    public RunRecord GetRun(long id) => Guard(() => ReadRun(id) ?? throw MissingRun(id));

    /// <summary>A run by id ("42") or by name (the newest run of that name); null when there is none.</summary>
    public RunRecord? FindRun(string idOrName)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(idOrName);
        string key = idOrName.Trim();
        return Guard(() =>
        {
            if (long.TryParse(key, NumberStyles.None, CultureInfo.InvariantCulture, out long id) && ReadRun(id) is { } byId) return byId;
            using var command = Command($"SELECT {RunColumns} FROM runs WHERE name = $name ORDER BY id DESC LIMIT 1", ("$name", key));
            using var reader = command.ExecuteReader();
            return reader.Read() ? ReadRunRow(reader) : null;
        });
    }

    /// <summary>Runs matching the filter, oldest first (newest last).</summary>
    public IReadOnlyList<RunRecord> ListRuns(RunFilter? filter = null)
    {
        filter ??= new RunFilter();
        if (filter.Last is <= 0) throw new ArgumentOutOfRangeException(nameof(filter), filter.Last, "Last must be positive");
        var where = new List<string>();
        var parameters = new List<(string, object?)>();
        if (filter.Kind is not null) { where.Add("kind = $kind"); parameters.Add(("$kind", filter.Kind)); }
        if (filter.Status is RunStatus s) { where.Add("status = $status"); parameters.Add(("$status", s.ToText())); }
        if (filter.NameContains is not null) { where.Add("instr(name, $part) > 0"); parameters.Add(("$part", filter.NameContains)); }
        if (filter.ParentId is long p) { where.Add("parent_id = $parent"); parameters.Add(("$parent", p)); }
        if (filter.Tag is not null) { where.Add("EXISTS (SELECT 1 FROM json_each(runs.tags) WHERE json_each.value = $tag)"); parameters.Add(("$tag", filter.Tag)); }
        string sql = $"SELECT {RunColumns} FROM runs" + (where.Count > 0 ? " WHERE " + string.Join(" AND ", where) : "");
        sql = filter.Last is int last
            ? $"SELECT * FROM ({sql} ORDER BY id DESC LIMIT {last}) ORDER BY id"
            : sql + " ORDER BY id";
        return Guard(() =>
        {
            using var command = Command(sql, [.. parameters]);
            using var reader = command.ExecuteReader();
            var runs = new List<RunRecord>();
            while (reader.Read()) runs.Add(ReadRunRow(reader));
            return runs;
        });
    }

    /// <summary>
    /// Runs still marked 'running' on this host whose process is gone become 'interrupted'. A process with the
    /// same pid that started after the run was created (or last resumed) is a different process (pid reuse).
    /// Returns their ids.
    /// </summary>
    public IReadOnlyList<long> MarkInterrupted()
    {
        string host = Environment.MachineName;
        return Guard(() =>
        {
            var candidates = new List<(long Id, int Pid, DateTime Created)>();
            using (var command = Command("SELECT id, pid, coalesce(resumed, created) FROM runs WHERE status = 'running' AND host = $host AND pid IS NOT NULL", ("$host", host)))
            using (var reader = command.ExecuteReader())
                while (reader.Read()) candidates.Add((reader.GetInt64(0), reader.GetInt32(1), ParseTime(reader.GetString(2))));
            var dead = candidates.Where(c => !ProcessProbe.IsAlive(c.Pid, c.Created)).ToList();
            if (dead.Count == 0) return (IReadOnlyList<long>)[];
            return Write(() =>
            {
                var marked = new List<long>();
                string now = FormatTime(DateTime.UtcNow);
                foreach (var run in dead)
                {
                    using var update = Command(
                        """
                        UPDATE runs SET status = 'interrupted', finished = coalesce(finished, $now),
                               error = coalesce(error, $error)
                        WHERE id = $id AND status = 'running'
                        """,
                        ("$now", now), ("$error", $"process {run.Pid} on {host} ended without finishing the run"), ("$id", run.Id));
                    if (update.ExecuteNonQuery() == 1) marked.Add(run.Id);
                }
                return (IReadOnlyList<long>)marked;
            });
        });
    }

    // ---- metrics --------------------------------------------------------------------------------------------

    /// <summary>
    /// Appends metric rows in one transaction with one prepared statement; returns the number of rows. A row
    /// for a (name, step) the run already has replaces it (a resumed run repeating steps). 100k rows take
    /// about 0.2 s.
    /// </summary>
    public int AppendMetrics(long id, IEnumerable<MetricRow> rows)
    {
        ArgumentNullException.ThrowIfNull(rows);
        var batch = rows as IReadOnlyList<MetricRow> ?? rows.ToList();
        for (int i = 0; i < batch.Count; i++)
            if (string.IsNullOrWhiteSpace(batch[i].Name)) throw new ArgumentException($"metric row {i} (step {batch[i].Step}) has no name", nameof(rows));
        if (batch.Count == 0) return 0;
        return Guard(() => Write(() =>
        {
            if (!RunExists(id)) throw MissingRun(id);
            MetricInsert.Run(connection, id, batch);
            return batch.Count;
        }));
    }

    /// <summary>
    /// Deletes every metric row of the run at step <paramref name="step"/> or later; returns how many. A run
    /// resumed from its checkpoint at that step recomputes them, and rows past a smaller new end must not stay.
    /// </summary>
    public int DeleteMetricsFrom(long id, long step) => Guard(() => Write(() =>
    {
        if (!RunExists(id)) throw MissingRun(id);
        using var command = Command("DELETE FROM metrics WHERE run_id = $id AND step >= $step", ("$id", id), ("$step", step));
        return command.ExecuteNonQuery();
    }));

    /// <summary>The run's metric rows: one metric in step order, or all of them ordered by (step, name).</summary>
    public IReadOnlyList<MetricRow> Metrics(long id, string? name = null) => Guard(() =>
    {
        if (!RunExists(id)) throw MissingRun(id);
        using var command = name is null
            ? Command("SELECT step, epoch, name, value, se, samples FROM metrics WHERE run_id = $id ORDER BY step, name", ("$id", id))
            : Command("SELECT step, epoch, name, value, se, samples FROM metrics WHERE run_id = $id AND name = $name ORDER BY step", ("$id", id), ("$name", name));
        using var reader = command.ExecuteReader();
        var rows = new List<MetricRow>();
        while (reader.Read())
            rows.Add(new MetricRow(
                reader.GetInt64(0),
                reader.IsDBNull(1) ? null : reader.GetDouble(1),
                reader.GetString(2),
                reader.IsDBNull(3) ? double.NaN : reader.GetDouble(3),
                reader.IsDBNull(4) ? null : reader.GetDouble(4),
                reader.IsDBNull(5) ? null : reader.GetInt64(5)));
        return (IReadOnlyList<MetricRow>)rows;
    });

    /// <summary>The names of the run's metrics, sorted.</summary>
    public IReadOnlyList<string> MetricNames(long id) => Guard(() =>
    {
        if (!RunExists(id)) throw MissingRun(id);
        using var command = Command("SELECT DISTINCT name FROM metrics WHERE run_id = $id ORDER BY name", ("$id", id));
        using var reader = command.ExecuteReader();
        var names = new List<string>();
        while (reader.Read()) names.Add(reader.GetString(0));
        return (IReadOnlyList<string>)names;
    });

    // ---- opening and migrating ------------------------------------------------------------------------------

    private int Initialise()
    {
        connection.Open();
        Execute($"PRAGMA busy_timeout = {(long)BusyTimeout.TotalMilliseconds}");
        // The first statement that reads the file: a file that is not SQLite fails here with SQLITE_NOTADB.
        int version = ScalarInt("PRAGMA user_version");
        if (version > RunSchema.Latest)
            throw new RunStoreException(DatabasePath, $"schema version {version} is newer than this build understands ({RunSchema.Latest}); use a newer SharpEdge");
        if (ReadOnly)
        {
            if (version < RunSchema.Latest)
                throw new RunStoreException(DatabasePath, $"schema version {version} is older than this build's {RunSchema.Latest}; open it once read-write to migrate it");
            return version;
        }
        // WAL lets readers run while one process writes; NORMAL sync is safe in WAL (a crash loses at most the
        // last transactions, never consistency) and makes each commit cheap.
        Execute("PRAGMA journal_mode = WAL");
        Execute("PRAGMA synchronous = NORMAL");
        if (version == RunSchema.Latest) return version;
        return Write(() =>
        {
            int current = ScalarInt("PRAGMA user_version"); // another process may have migrated meanwhile
            if (current == 0)
            {
                var foreign = new List<string>();
                using (var command = Command("SELECT name FROM sqlite_schema WHERE type = 'table' AND name NOT LIKE 'sqlite_%' ORDER BY name"))
                using (var reader = command.ExecuteReader())
                    while (reader.Read()) foreign.Add(reader.GetString(0));
                if (foreign.Count > 0)
                    throw new RunStoreException(DatabasePath, $"is a SQLite database but not a SharpEdge run store (no schema version; tables: {string.Join(", ", foreign)})");
            }
            for (int v = current; v < RunSchema.Latest; v++) Execute(RunSchema.Migrations[v]);
            Execute($"PRAGMA user_version = {RunSchema.Latest}");
            return RunSchema.Latest;
        });
    }

    // ---- plumbing -------------------------------------------------------------------------------------------

    /// <summary>
    /// Runs a write in one BEGIN IMMEDIATE transaction. SQLite's busy handler already waits for the lock; the
    /// retry covers the cases it does not (a busy COMMIT or checkpoint), until the busy timeout has passed.
    /// </summary>
    private T Write<T>(Func<T> body)
    {
        if (ReadOnly) throw new RunStoreException(DatabasePath, "opened read-only; cannot write");
        var clock = Stopwatch.StartNew();
        for (int attempt = 0; ; attempt++)
        {
            try
            {
                using var transaction = connection.BeginTransaction(deferred: false);
                T result = body();
                transaction.Commit();
                return result;
            }
            catch (SqliteException e) when (IsBusy(e) && clock.Elapsed < BusyTimeout)
            {
                Thread.Sleep(Math.Min(250, 5 << Math.Min(attempt, 6)) + Random.Shared.Next(10));
            }
        }
    }

    /// <summary>Serialises calls and turns SQLite's file-level errors into messages that name the file.</summary>
    private T Guard<T>(Func<T> body)
    {
        lock (gate)
        {
            try
            {
                return body();
            }
            catch (SqliteException e)
            {
                throw Translate(e);
            }
        }
    }

    private RunStoreException Translate(SqliteException e) => e.SqliteErrorCode switch
    {
        26 => new RunStoreException(DatabasePath, "is not a SQLite database (corrupt, or some other file); move it aside or choose another results folder", e),
        11 => new RunStoreException(DatabasePath, "the database file is corrupt (SQLite: malformed disk image); move it aside or restore a copy", e),
        14 => new RunStoreException(DatabasePath, $"cannot open the database file ({e.Message})", e),
        5 or 6 => new RunStoreException(DatabasePath, $"still locked by another process after {BusyTimeout.TotalSeconds:0.#} s", e),
        8 => new RunStoreException(DatabasePath, "the database is read-only (file permissions, or opened read-only)", e),
        13 => new RunStoreException(DatabasePath, "the disk is full", e),
        _ => new RunStoreException(DatabasePath, $"SQLite error {e.SqliteErrorCode}: {e.Message}", e),
    };

    private static bool IsBusy(SqliteException e) => e.SqliteErrorCode is 5 or 6;

    private RunStoreException MissingRun(long id) => new(DatabasePath, $"no run with id {id}");

    private bool RunExists(long id)
    {
        using var command = Command("SELECT 1 FROM runs WHERE id = $id", ("$id", id));
        return command.ExecuteScalar() is not null;
    }

    private RunRecord? ReadRun(long id)
    {
        using var command = Command($"SELECT {RunColumns} FROM runs WHERE id = $id", ("$id", id));
        using var reader = command.ExecuteReader();
        return reader.Read() ? ReadRunRow(reader) : null;
    }

    private RunRecord ReadRunRow(SqliteDataReader r)
    {
        long id = r.GetInt64(0);
        JsonObject config;
        try
        {
            config = JsonNode.Parse(r.GetString(4)) as JsonObject
                ?? throw new RunStoreException(DatabasePath, $"run {id}: config is JSON but not an object");
        }
        catch (JsonException e)
        {
            throw new RunStoreException(DatabasePath, $"run {id}: config is not valid JSON ({e.Message})", e);
        }
        return new RunRecord
        {
            Id = id,
            Name = r.GetString(1),
            Kind = r.GetString(2),
            Status = RunStatusText.Parse(r.GetString(3)),
            Config = config,
            Created = ParseTime(r.GetString(5)),
            Started = r.IsDBNull(6) ? null : ParseTime(r.GetString(6)),
            Finished = r.IsDBNull(7) ? null : ParseTime(r.GetString(7)),
            Seconds = r.IsDBNull(8) ? null : r.GetDouble(8),
            CodeVersion = r.IsDBNull(9) ? null : r.GetString(9),
            ParentId = r.IsDBNull(10) ? null : r.GetInt64(10),
            ForkStep = r.IsDBNull(11) ? null : r.GetInt64(11),
            Folder = r.IsDBNull(12) ? null : r.GetString(12),
            Error = r.IsDBNull(13) ? null : r.GetString(13),
            Host = r.IsDBNull(14) ? null : r.GetString(14),
            Pid = r.IsDBNull(15) ? null : r.GetInt32(15),
            Tags = JsonSerializer.Deserialize<string[]>(r.GetString(16)) ?? [],
            Resumed = r.IsDBNull(17) ? null : ParseTime(r.GetString(17)),
        };
    }

    private SqliteCommand Command(string sql, params (string Name, object? Value)[] parameters)
    {
        var command = connection.CreateCommand();
        command.CommandText = sql;
        foreach (var (name, value) in parameters) command.Parameters.AddWithValue(name, value ?? DBNull.Value);
        return command;
    }

    private void Execute(string sql)
    {
        using var command = Command(sql);
        command.ExecuteNonQuery();
    }

    private int ScalarInt(string sql)
    {
        using var command = Command(sql);
        return Convert.ToInt32(command.ExecuteScalar(), CultureInfo.InvariantCulture);
    }

    private static object Nullable(double? value) => value is double v && !double.IsNaN(v) ? v : DBNull.Value;

    internal static string FormatTime(DateTime time) =>
        (time.Kind == DateTimeKind.Local ? time.ToUniversalTime() : time).ToString(TimeFormat, CultureInfo.InvariantCulture);

    internal static DateTime ParseTime(string text) =>
        DateTime.ParseExact(text, TimeFormat, CultureInfo.InvariantCulture, DateTimeStyles.AdjustToUniversal | DateTimeStyles.AssumeUniversal);
}
