using Microsoft.Data.Sqlite;
using SQLitePCL;

namespace SharpEdge.Dashboard;

/// <summary>
/// One metric of one run as the charts get it: steps, values and standard errors (null where the measurement is
/// exact), thinned by <see cref="MinMaxDownsampling"/> when longer than asked. <see cref="Total"/> is the
/// number of stored points in the range, <see cref="LastStep"/> the step a live stream continues after.
/// </summary>
internal sealed record MetricSeries(string Name, long[] Steps, double?[] Values, double?[]? Se, int Total, long? LastStep)
{
    /// <summary>Reads the metric in [from, to] (steps, inclusive; null: open) and thins it to maxPoints.</summary>
    public static MetricSeries Read(SqliteConnection connection, long runId, string name, int maxPoints, long? from = null, long? to = null)
    {
        var (steps, values, se, anySe) = ReadRows(connection, runId, name, from ?? long.MinValue, to ?? long.MaxValue);
        var keep = MinMaxDownsampling.Select(System.Runtime.InteropServices.CollectionsMarshal.AsSpan(values), maxPoints);
        return new MetricSeries(
            name,
            [.. keep.Select(i => steps[i])],
            [.. keep.Select(i => Sql.Finite(values[i]))],
            anySe ? [.. keep.Select(i => Sql.Finite(se[i]))] : null,
            steps.Count,
            steps.Count > 0 ? steps[^1] : null);
    }

    /// <summary>
    /// The rows through SQLite's C API (the SQLitePCL layer under Microsoft.Data.Sqlite), as the store's bulk insert
    /// does: no per-value boxing or type checks of a data reader, and reading 10⁵ rows is most of a long run page's cost.
    /// </summary>
    private static (List<long> Steps, List<double> Values, List<double> Se, bool AnySe) ReadRows(SqliteConnection connection, long runId, string name, long from, long to)
    {
        var db = connection.Handle ?? throw new InvalidOperationException("the connection is not open");
        const string sql = "SELECT step, value, se FROM metrics WHERE run_id = ?1 AND name = ?2 AND step >= ?3 AND step <= ?4 ORDER BY step";
        int rc = raw.sqlite3_prepare_v2(db, sql, out sqlite3_stmt statement);
        if (rc != raw.SQLITE_OK) throw new SqliteException($"SQLite Error {rc}: '{raw.sqlite3_errmsg(db).utf8_to_string()}'.", rc);
        var steps = new List<long>();
        var values = new List<double>();
        var se = new List<double>();
        bool anySe = false;
        using (statement)
        {
            raw.sqlite3_bind_int64(statement, 1, runId);
            raw.sqlite3_bind_text(statement, 2, name);
            raw.sqlite3_bind_int64(statement, 3, from);
            raw.sqlite3_bind_int64(statement, 4, to);
            while ((rc = raw.sqlite3_step(statement)) == raw.SQLITE_ROW)
            {
                steps.Add(raw.sqlite3_column_int64(statement, 0));
                values.Add(raw.sqlite3_column_type(statement, 1) == raw.SQLITE_NULL ? double.NaN : raw.sqlite3_column_double(statement, 1));
                bool hasSe = raw.sqlite3_column_type(statement, 2) != raw.SQLITE_NULL;
                se.Add(hasSe ? raw.sqlite3_column_double(statement, 2) : double.NaN);
                anySe |= hasSe;
            }
            if (rc != raw.SQLITE_DONE) throw new SqliteException($"SQLite Error {rc}: '{raw.sqlite3_errmsg(db).utf8_to_string()}'.", rc);
        }
        return (steps, values, se, anySe);
    }
}
