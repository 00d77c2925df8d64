using Microsoft.Data.Sqlite;
using SharpEdge.Runs;

namespace SharpEdge.Dashboard;

/// <summary>
/// Read-only access to the results folder's <c>runs.db</c>. Run records come from <see cref="RunStore"/> opened
/// read-only; the dashboard's own queries (paging, incremental reads, sweep tables) use read-only connections of
/// their own. In WAL mode readers never block the training processes that write. The store may appear after the
/// server starts (serve first, train later), so it is opened on first use.
/// </summary>
internal sealed class StoreAccess : IDisposable
{
    private readonly Lock gate = new();
    private RunStore? store;

    public StoreAccess(string resultsFolder)
    {
        ResultsFolder = Path.GetFullPath(resultsFolder);
        DatabasePath = Path.Combine(ResultsFolder, RunStore.FileName);
    }

    public string ResultsFolder { get; }
    public string DatabasePath { get; }
    public bool Exists => File.Exists(DatabasePath);

    /// <summary>The store for run records; null while there is no <c>runs.db</c> yet.</summary>
    public RunStore? Runs
    {
        get
        {
            lock (gate)
            {
                if (store is null && Exists) store = RunStore.OpenFile(DatabasePath, readOnly: true, busyTimeout: TimeSpan.FromSeconds(5));
                return store;
            }
        }
    }

    /// <summary>A new read-only connection, open; null while there is no store.</summary>
    public SqliteConnection? Connect()
    {
        if (Runs is null) return null; // also checks the schema version once
        var connection = new SqliteConnection(new SqliteConnectionStringBuilder
        {
            DataSource = DatabasePath,
            Mode = SqliteOpenMode.ReadOnly,
            Pooling = true,
            DefaultTimeout = 5,
        }.ToString());
        connection.Open();
        return connection;
    }

    /// <summary>Whether the store has a table (the sweep tables exist only in stores that ran sweeps).</summary>
    public static bool HasTable(SqliteConnection connection, string table)
    {
        using var command = connection.CreateCommand();
        command.CommandText = "SELECT 1 FROM sqlite_schema WHERE type = 'table' AND name = $name";
        command.Parameters.AddWithValue("$name", table);
        return command.ExecuteScalar() is not null;
    }

    public void Dispose()
    {
        lock (gate) store?.Dispose();
    }
}
