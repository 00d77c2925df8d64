namespace SharpEdge.Runs;

/// <summary>
/// The database schema as a list of forward migrations; <c>PRAGMA user_version</c> is the number applied.
/// A file at version 0 with no tables is new and gets every migration; to change the schema, append a
/// migration (never edit a shipped one).
/// </summary>
/// <remarks>
/// Times are ISO 8601 UTC text. <c>metrics</c> is keyed by (run_id, name, step) and clustered on that key
/// (WITHOUT ROWID): reading one metric of one run is a range scan in step order, and writing a step twice
/// (a resumed run repeating steps) keeps the last value. <c>tasks</c> hold the state of each sweep task
/// (<c>RunStore.Tasks.cs</c>). <c>value</c> is NULL only for NaN, because SQLite
/// cannot store NaN.
/// </remarks>
internal static class RunSchema
{
    public static readonly string[] Migrations =
    [
        // 1: runs and metrics
        """
        CREATE TABLE runs (
            id           INTEGER PRIMARY KEY,
            name         TEXT NOT NULL,
            kind         TEXT NOT NULL,
            status       TEXT NOT NULL CHECK (status IN ('running', 'finished', 'diverged', 'failed', 'interrupted')),
            config       TEXT NOT NULL DEFAULT '{}' CHECK (json_valid(config)),
            created      TEXT NOT NULL,
            started      TEXT,
            finished     TEXT,
            seconds      REAL,
            code_version TEXT,
            parent_id    INTEGER REFERENCES runs(id) ON DELETE SET NULL,
            fork_step    INTEGER,
            folder       TEXT,
            error        TEXT,
            host         TEXT,
            pid          INTEGER,
            tags         TEXT NOT NULL DEFAULT '[]' CHECK (json_valid(tags))
        );
        CREATE INDEX runs_name ON runs(name);
        CREATE INDEX runs_status ON runs(status);
        CREATE INDEX runs_parent ON runs(parent_id);
        CREATE TABLE metrics (
            run_id  INTEGER NOT NULL REFERENCES runs(id) ON DELETE CASCADE,
            name    TEXT NOT NULL,
            step    INTEGER NOT NULL,
            epoch   REAL,
            value   REAL,
            se      REAL,
            samples INTEGER,
            PRIMARY KEY (run_id, name, step)
        ) WITHOUT ROWID;
        """,
        // 2: when a stopped run was last taken up again (resume), so the liveness probe compares the owning
        // process with the time it took the run over rather than with the run's creation
        """
        ALTER TABLE runs ADD COLUMN resumed TEXT;
        """,
        // 3: sweeps and their tasks. A task is keyed by (sweep, key), the key a hash of its command line, so
        // registering the same spec again adds nothing. 'runner_pid' is the sweep process that claimed a local
        // task (dead runner: the task is orphaned), 'pid' the task's own process, 'job' a Slurm array element.
        """
        CREATE TABLE sweeps (
            name     TEXT PRIMARY KEY,
            command  TEXT NOT NULL,
            spec     TEXT NOT NULL,
            folder   TEXT NOT NULL,
            workdir  TEXT NOT NULL,
            backend  TEXT NOT NULL,
            created  TEXT NOT NULL,
            host     TEXT,
            pid      INTEGER
        );
        CREATE TABLE tasks (
            sweep      TEXT NOT NULL REFERENCES sweeps(name) ON DELETE CASCADE,
            key        TEXT NOT NULL,
            position   INTEGER NOT NULL,
            label      TEXT NOT NULL,
            axes       TEXT NOT NULL CHECK (json_valid(axes)),
            args       TEXT NOT NULL CHECK (json_valid(args)),
            state      TEXT NOT NULL CHECK (state IN ('pending', 'running', 'done', 'failed', 'cancelled')),
            attempts   INTEGER NOT NULL DEFAULT 0,
            error      TEXT,
            run_id     INTEGER REFERENCES runs(id) ON DELETE SET NULL,
            host       TEXT,
            runner_pid INTEGER,
            pid        INTEGER,
            job        TEXT,
            started    TEXT,
            finished   TEXT,
            seconds    REAL,
            PRIMARY KEY (sweep, key)
        );
        CREATE INDEX tasks_state ON tasks(sweep, state, position);
        """,
    ];

    public static int Latest => Migrations.Length;
}
