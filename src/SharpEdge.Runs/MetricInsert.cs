using Microsoft.Data.Sqlite;
using SQLitePCL;

namespace SharpEdge.Runs;

/// <summary>
/// The bulk metric insert, on SQLite's C API (the SQLitePCL layer under Microsoft.Data.Sqlite): bind, step,
/// reset one prepared statement per row. ADO.NET parameters cost about three times as much per row, and a run
/// logs several metrics every step. Runs inside the caller's transaction on the same connection.
/// </summary>
internal static class MetricInsert
{
    private const string Sql =
        """
        INSERT INTO metrics (run_id, name, step, epoch, value, se, samples) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)
        ON CONFLICT (run_id, name, step) DO UPDATE
        SET epoch = excluded.epoch, value = excluded.value, se = excluded.se, samples = excluded.samples
        """;

    public static void Run(SqliteConnection connection, long runId, IReadOnlyList<MetricRow> rows)
    {
        var db = connection.Handle ?? throw new InvalidOperationException("the connection is not open");
        Check(db, raw.sqlite3_prepare_v2(db, Sql, out sqlite3_stmt statement));
        using (statement)
        {
            foreach (var row in rows)
            {
                raw.sqlite3_bind_int64(statement, 1, runId);
                raw.sqlite3_bind_text(statement, 2, row.Name);
                raw.sqlite3_bind_int64(statement, 3, row.Step);
                BindReal(statement, 4, row.Epoch);
                BindReal(statement, 5, row.Value); // NaN is stored as NULL either way; make it explicit
                BindReal(statement, 6, row.Se);
                if (row.Samples is long n) raw.sqlite3_bind_int64(statement, 7, n);
                else raw.sqlite3_bind_null(statement, 7);
                int rc = raw.sqlite3_step(statement);
                if (rc != raw.SQLITE_DONE) Check(db, rc);
                raw.sqlite3_reset(statement);
            }
        }
    }

    private static void BindReal(sqlite3_stmt statement, int index, double? value)
    {
        if (value is double v && !double.IsNaN(v)) raw.sqlite3_bind_double(statement, index, v);
        else raw.sqlite3_bind_null(statement, index);
    }

    private static void Check(sqlite3 db, int rc)
    {
        if (rc is raw.SQLITE_OK or raw.SQLITE_DONE or raw.SQLITE_ROW) return;
        throw new SqliteException($"SQLite Error {rc}: '{raw.sqlite3_errmsg(db).utf8_to_string()}'.", rc, raw.sqlite3_extended_errcode(db));
    }
}
