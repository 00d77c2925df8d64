using System.Text.Json;
using Microsoft.Data.Sqlite;

namespace SharpEdge.Runs;

/// <summary>
/// Sweeps and their tasks (schema migration 3). Every state change is one transaction, so several worker
/// threads or processes can claim tasks from the same store without taking one twice, and a task's run is
/// merged into the store in the same transaction that marks the task done: a task is never done without its
/// run, nor merged twice.
/// </summary>
public sealed partial class RunStore
{
    private const string TaskColumns =
        "sweep, key, position, label, axes, args, state, attempts, error, run_id, host, runner_pid, pid, job, started, finished, seconds";

    /// <summary>
    /// Records a sweep (or updates the spec, folder and backend of one with the same name and command) and adds
    /// those of <paramref name="tasks"/> whose key it does not hold yet, as pending. Returns how many were added
    /// and how many it already had.
    /// </summary>
    public (int Added, int Known) RegisterSweep(SweepRecord sweep, IReadOnlyList<SweepTaskDraft> tasks)
    {
        ArgumentNullException.ThrowIfNull(sweep);
        ArgumentNullException.ThrowIfNull(tasks);
        ArgumentException.ThrowIfNullOrWhiteSpace(sweep.Name);
        var repeated = tasks.GroupBy(t => t.Key).FirstOrDefault(g => g.Count() > 1);
        if (repeated is not null)
            throw new ArgumentException($"sweep '{sweep.Name}': tasks {string.Join(" and ", repeated.Select(t => $"#{t.Position} ({t.Label})"))} have the same key {repeated.Key}");
        return Guard(() => Write(() =>
        {
            using (var find = Command("SELECT command FROM sweeps WHERE name = $name", ("$name", sweep.Name)))
            {
                if (find.ExecuteScalar() is string command && command != sweep.Command)
                    throw new ArgumentException($"sweep '{sweep.Name}' already exists in {DatabasePath} and runs '{command}', not '{sweep.Command}'; choose another name");
            }
            using (var upsert = Command(
                """
                INSERT INTO sweeps (name, command, spec, folder, workdir, backend, created) VALUES ($name, $command, $spec, $folder, $workdir, $backend, $now)
                ON CONFLICT (name) DO UPDATE SET spec = excluded.spec, folder = excluded.folder, workdir = excluded.workdir, backend = excluded.backend
                """,
                ("$name", sweep.Name), ("$command", sweep.Command), ("$spec", sweep.Spec), ("$folder", sweep.Folder), ("$workdir", sweep.WorkingDirectory), ("$backend", sweep.Backend),
                ("$now", FormatTime(DateTime.UtcNow))))
                upsert.ExecuteNonQuery();
            int added = 0;
            using var insert = Command(
                """
                INSERT INTO tasks (sweep, key, position, label, axes, args, state) VALUES ($sweep, $key, $position, $label, $axes, $args, 'pending')
                ON CONFLICT (sweep, key) DO NOTHING
                """,
                ("$sweep", sweep.Name), ("$key", ""), ("$position", 0), ("$label", ""), ("$axes", "{}"), ("$args", "[]"));
            foreach (var task in tasks)
            {
                insert.Parameters["$key"].Value = task.Key;
                insert.Parameters["$position"].Value = task.Position;
                insert.Parameters["$label"].Value = task.Label;
                insert.Parameters["$axes"].Value = task.Axes;
                insert.Parameters["$args"].Value = JsonSerializer.Serialize(task.Args);
                added += insert.ExecuteNonQuery();
            }
            return (added, tasks.Count - added);
        }));
    }

    /// <summary>Records which local process runs the sweep now (null: none), so <c>sweep cancel</c> can stop it.</summary>
    public void SetSweepOwner(string name, int? pid) => Guard(() => Write(() =>
    {
        using var command = Command("UPDATE sweeps SET host = $host, pid = $pid WHERE name = $name",
            ("$host", pid is null ? null : Environment.MachineName), ("$pid", pid), ("$name", name));
        if (command.ExecuteNonQuery() == 0) throw MissingSweep(name);
        return 0;
    }));

    public SweepRecord? FindSweep(string name) => Guard(() =>
    {
        using var command = Command("SELECT name, command, spec, folder, workdir, backend, created, host, pid FROM sweeps WHERE name = $name", ("$name", name));
        using var reader = command.ExecuteReader();
        return reader.Read() ? ReadSweepRow(reader) : null;
    });

    public IReadOnlyList<SweepRecord> ListSweeps() => Guard(() =>
    {
        using var command = Command("SELECT name, command, spec, folder, workdir, backend, created, host, pid FROM sweeps ORDER BY created, name");
        using var reader = command.ExecuteReader();
        var sweeps = new List<SweepRecord>();
        while (reader.Read()) sweeps.Add(ReadSweepRow(reader));
        return (IReadOnlyList<SweepRecord>)sweeps;
    });

    /// <summary>The sweep's tasks in spec order, all or those in one state.</summary>
    public IReadOnlyList<SweepTaskRecord> Tasks(string sweep, SweepTaskState? state = null) => Guard(() =>
    {
        using var command = state is { } s
            ? Command($"SELECT {TaskColumns} FROM tasks WHERE sweep = $sweep AND state = $state ORDER BY position, key", ("$sweep", sweep), ("$state", s.ToText()))
            : Command($"SELECT {TaskColumns} FROM tasks WHERE sweep = $sweep ORDER BY position, key", ("$sweep", sweep));
        return ReadTasks(command);
    });

    /// <summary>
    /// Takes the first pending task (of <paramref name="keys"/> when given) for this process: running, one more
    /// attempt, this host and pid as its runner. Null when none is pending. Atomic, so concurrent claimers never
    /// get the same task.
    /// </summary>
    public SweepTaskRecord? ClaimTask(string sweep, IReadOnlyCollection<string>? keys = null) => Guard(() => Write(() =>
    {
        using var command = Command(
            $"""
            UPDATE tasks SET state = 'running', attempts = attempts + 1, host = $host, runner_pid = $pid, pid = NULL, job = NULL,
                   started = $now, finished = NULL, seconds = NULL
            WHERE sweep = $sweep AND key = (SELECT key FROM tasks WHERE sweep = $sweep AND state = 'pending'
                                            AND ($keys IS NULL OR key IN (SELECT value FROM json_each($keys)))
                                            ORDER BY position, key LIMIT 1)
            RETURNING {TaskColumns}
            """,
            ("$host", Environment.MachineName), ("$pid", Environment.ProcessId), ("$now", FormatTime(DateTime.UtcNow)), ("$sweep", sweep),
            ("$keys", keys is null ? null : JsonSerializer.Serialize(keys)));
        return ReadTasks(command).SingleOrDefault();
    }));

    public SweepTaskRecord? FindTask(string sweep, string key) => Guard(() =>
    {
        using var command = Command($"SELECT {TaskColumns} FROM tasks WHERE sweep = $sweep AND key = $key", ("$sweep", sweep), ("$key", key));
        return ReadTasks(command).SingleOrDefault();
    });

    /// <summary>Records the process that runs a claimed task.</summary>
    public void SetTaskProcess(string sweep, string key, int pid) => UpdateTask(sweep, key, "pid = $pid", ("$pid", pid));

    /// <summary>
    /// Tasks handed to Slurm: running as the given array elements, one more attempt, no local runner.
    /// </summary>
    public void MarkSubmitted(string sweep, IReadOnlyList<(string Key, string Job)> elements)
    {
        ArgumentNullException.ThrowIfNull(elements);
        Guard(() => Write(() =>
        {
            using var command = Command(
                """
                UPDATE tasks SET state = 'running', attempts = attempts + 1, job = $job, host = NULL, runner_pid = NULL, pid = NULL,
                       started = $now, finished = NULL, seconds = NULL
                WHERE sweep = $sweep AND key = $key AND state != 'done'
                """,
                ("$job", ""), ("$now", FormatTime(DateTime.UtcNow)), ("$sweep", sweep), ("$key", ""));
            foreach (var (key, job) in elements)
            {
                command.Parameters["$job"].Value = job;
                command.Parameters["$key"].Value = key;
                if (command.ExecuteNonQuery() == 0) throw MissingTask(sweep, key);
            }
            return 0;
        }));
    }

    /// <summary>
    /// Marks a task done and merges the runs it produced (with their metrics, from the task's own store) into
    /// this store, in one transaction. A task already done is left alone and false returned, so collecting the
    /// same results twice adds nothing. The task's run is the last of <paramref name="runs"/>.
    /// </summary>
    public bool CompleteTask(string sweep, string key, IReadOnlyList<(RunRecord Run, IReadOnlyList<MetricRow> Metrics)> runs, double seconds)
    {
        ArgumentNullException.ThrowIfNull(runs);
        return Guard(() => Write(() =>
        {
            using (var state = Command("SELECT state FROM tasks WHERE sweep = $sweep AND key = $key", ("$sweep", sweep), ("$key", key)))
            {
                var current = state.ExecuteScalar() as string ?? throw MissingTask(sweep, key);
                if (current == "done") return false;
            }
            var ids = new Dictionary<long, long>();
            long? last = null;
            foreach (var (run, metrics) in runs.OrderBy(r => r.Run.Id))
            {
                long id = ImportRun(run, run.ParentId is long p && ids.TryGetValue(p, out var mapped) ? mapped : null);
                ids[run.Id] = id;
                MetricInsert.Run(connection, id, metrics);
                last = id;
            }
            using var done = Command(
                """
                UPDATE tasks SET state = 'done', error = NULL, run_id = $run, finished = $now, seconds = $seconds, pid = NULL
                WHERE sweep = $sweep AND key = $key
                """,
                ("$run", last), ("$now", FormatTime(DateTime.UtcNow)), ("$seconds", seconds), ("$sweep", sweep), ("$key", key));
            done.ExecuteNonQuery();
            return true;
        }));
    }

    /// <summary>
    /// Records a failed attempt: back to pending while the task has had at most <paramref name="retries"/> + 1
    /// attempts, else failed. The error is kept either way. Returns the new state.
    /// </summary>
    public SweepTaskState FailTask(string sweep, string key, string error, int retries, double? seconds = null) => Guard(() => Write(() =>
    {
        using var command = Command(
            """
            UPDATE tasks SET state = CASE WHEN attempts <= $retries THEN 'pending' ELSE 'failed' END,
                   error = $error, finished = $now, seconds = $seconds, pid = NULL
            WHERE sweep = $sweep AND key = $key AND state != 'done'
            RETURNING state
            """,
            ("$retries", retries), ("$error", error), ("$now", FormatTime(DateTime.UtcNow)), ("$seconds", seconds), ("$sweep", sweep), ("$key", key));
        var state = command.ExecuteScalar() as string;
        if (state is not null) return SweepTaskStateText.Parse(state);
        using var exists = Command("SELECT state FROM tasks WHERE sweep = $sweep AND key = $key", ("$sweep", sweep), ("$key", key));
        return exists.ExecuteScalar() is string s ? SweepTaskStateText.Parse(s) : throw MissingTask(sweep, key);
    }));

    /// <summary>
    /// Puts these tasks back in the queue with a fresh attempt count; returns how many. Done tasks stay done
    /// unless <paramref name="includeDone"/> (their results are gone and must be made again).
    /// </summary>
    public int RequeueTasks(string sweep, IEnumerable<string> keys, bool includeDone = false)
    {
        ArgumentNullException.ThrowIfNull(keys);
        var list = keys.ToList();
        return Guard(() => Write(() =>
        {
            using var command = Command(
                """
                UPDATE tasks SET state = 'pending', attempts = 0, host = NULL, runner_pid = NULL, pid = NULL, job = NULL
                WHERE sweep = $sweep AND key = $key AND (state != 'done' OR $all)
                """,
                ("$sweep", sweep), ("$key", ""), ("$all", includeDone));
            int count = 0;
            foreach (var key in list)
            {
                command.Parameters["$key"].Value = key;
                count += command.ExecuteNonQuery();
            }
            return count;
        }));
    }

    /// <summary>
    /// Local tasks still 'running' on this host whose sweep process is gone (killed, or the machine restarted):
    /// nobody will finish them. Tasks of other hosts and Slurm tasks are not judged here.
    /// </summary>
    public IReadOnlyList<SweepTaskRecord> AbandonedTasks(string sweep) =>
        Tasks(sweep, SweepTaskState.Running)
            .Where(t => t.Job is null && t.Host == Environment.MachineName && t.RunnerPid is int pid
                        && !ProcessProbe.IsAlive(pid, t.Started ?? DateTime.UtcNow))
            .ToList();

    /// <summary>Pending and running tasks (all, or these) become cancelled; returns them as they were before.</summary>
    public IReadOnlyList<SweepTaskRecord> CancelTasks(string sweep, IEnumerable<string>? keys = null) => Guard(() => Write(() =>
    {
        using var select = Command($"SELECT {TaskColumns} FROM tasks WHERE sweep = $sweep AND state IN ('pending', 'running') ORDER BY position, key", ("$sweep", sweep));
        var chosen = keys?.ToHashSet();
        var cancelled = ReadTasks(select).Where(t => chosen is null || chosen.Contains(t.Key)).ToList();
        using var update = Command(
            "UPDATE tasks SET state = 'cancelled', error = 'cancelled', finished = $now WHERE sweep = $sweep AND key = $key AND state IN ('pending', 'running')",
            ("$now", FormatTime(DateTime.UtcNow)), ("$sweep", sweep), ("$key", ""));
        foreach (var task in cancelled)
        {
            update.Parameters["$key"].Value = task.Key;
            update.ExecuteNonQuery();
        }
        return (IReadOnlyList<SweepTaskRecord>)cancelled;
    }));

    // ---- plumbing -------------------------------------------------------------------------------------------

    private void UpdateTask(string sweep, string key, string assignments, params (string Name, object? Value)[] values) => Guard(() => Write(() =>
    {
        using var command = Command($"UPDATE tasks SET {assignments} WHERE sweep = $sweep AND key = $key",
            [.. values, ("$sweep", sweep), ("$key", key)]);
        if (command.ExecuteNonQuery() == 0) throw MissingTask(sweep, key);
        return 0;
    }));

    /// <summary>Inserts a run from another store as it is (times, status, folder, host), under a new id.</summary>
    private long ImportRun(RunRecord run, long? parent)
    {
        using var command = Command(
            """
            INSERT INTO runs (name, kind, status, config, created, started, finished, seconds, code_version,
                              parent_id, fork_step, folder, error, host, pid, tags, resumed)
            VALUES ($name, $kind, $status, $config, $created, $started, $finished, $seconds, $code,
                    $parent, $fork, $folder, $error, $host, $pid, $tags, $resumed)
            RETURNING id
            """,
            ("$name", run.Name), ("$kind", run.Kind), ("$status", run.Status.ToText()), ("$config", run.Config.ToJsonString()),
            ("$created", FormatTime(run.Created)), ("$started", run.Started is DateTime s ? FormatTime(s) : null),
            ("$finished", run.Finished is DateTime f ? FormatTime(f) : null), ("$seconds", run.Seconds), ("$code", run.CodeVersion),
            ("$parent", parent), ("$fork", parent is null ? null : run.ForkStep), ("$folder", run.Folder), ("$error", run.Error),
            ("$host", run.Host), ("$pid", run.Pid), ("$tags", JsonSerializer.Serialize(run.Tags)),
            ("$resumed", run.Resumed is DateTime r ? FormatTime(r) : null));
        return (long)command.ExecuteScalar()!;
    }

    private IReadOnlyList<SweepTaskRecord> ReadTasks(SqliteCommand command)
    {
        using var r = command.ExecuteReader();
        var tasks = new List<SweepTaskRecord>();
        while (r.Read())
            tasks.Add(new SweepTaskRecord
            {
                Sweep = r.GetString(0),
                Key = r.GetString(1),
                Position = r.GetInt32(2),
                Label = r.GetString(3),
                Axes = r.GetString(4),
                Args = JsonSerializer.Deserialize<string[]>(r.GetString(5)) ?? [],
                State = SweepTaskStateText.Parse(r.GetString(6)),
                Attempts = r.GetInt32(7),
                Error = r.IsDBNull(8) ? null : r.GetString(8),
                RunId = r.IsDBNull(9) ? null : r.GetInt64(9),
                Host = r.IsDBNull(10) ? null : r.GetString(10),
                RunnerPid = r.IsDBNull(11) ? null : r.GetInt32(11),
                Pid = r.IsDBNull(12) ? null : r.GetInt32(12),
                Job = r.IsDBNull(13) ? null : r.GetString(13),
                Started = r.IsDBNull(14) ? null : ParseTime(r.GetString(14)),
                Finished = r.IsDBNull(15) ? null : ParseTime(r.GetString(15)),
                Seconds = r.IsDBNull(16) ? null : r.GetDouble(16),
            });
        return tasks;
    }

    private static SweepRecord ReadSweepRow(SqliteDataReader r) => new()
    {
        Name = r.GetString(0),
        Command = r.GetString(1),
        Spec = r.GetString(2),
        Folder = r.GetString(3),
        WorkingDirectory = r.GetString(4),
        Backend = r.GetString(5),
        Created = ParseTime(r.GetString(6)),
        Host = r.IsDBNull(7) ? null : r.GetString(7),
        Pid = r.IsDBNull(8) ? null : r.GetInt32(8),
    };

    private RunStoreException MissingSweep(string name) => new(DatabasePath, $"no sweep named '{name}'");

    private RunStoreException MissingTask(string sweep, string key) => new(DatabasePath, $"sweep '{sweep}' has no task {key}");
}
