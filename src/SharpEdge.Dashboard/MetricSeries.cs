using Microsoft.Data.Sqlite;

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
        using var command = connection.Command(
            """
            SELECT step, value, se FROM metrics
            WHERE run_id = $id AND name = $name AND step >= $from AND step <= $to
            ORDER BY step
            """,
            ("$id", runId), ("$name", name), ("$from", from ?? long.MinValue), ("$to", to ?? long.MaxValue));
        using var reader = command.ExecuteReader();
        var steps = new List<long>();
        var values = new List<double>();
        var se = new List<double>();
        bool anySe = false;
        while (reader.Read())
        {
            steps.Add(reader.GetInt64(0));
            values.Add(reader.IsDBNull(1) ? double.NaN : reader.GetDouble(1));
            if (reader.IsDBNull(2)) se.Add(double.NaN);
            else { se.Add(reader.GetDouble(2)); anySe = true; }
        }
        var keep = MinMaxDownsampling.Select(System.Runtime.InteropServices.CollectionsMarshal.AsSpan(values), maxPoints);
        return new MetricSeries(
            name,
            [.. keep.Select(i => steps[i])],
            [.. keep.Select(i => Sql.Finite(values[i]))],
            anySe ? [.. keep.Select(i => Sql.Finite(se[i]))] : null,
            steps.Count,
            steps.Count > 0 ? steps[^1] : null);
    }
}
