using Microsoft.Data.Sqlite;

namespace SharpEdge.Dashboard;

/// <summary>What a run recorded of one metric: how many points over which steps, and its last value.</summary>
internal sealed record MetricSummary(string Name, long Points, long FirstStep, long LastStep, double? Last, double? LastSe)
{
    public static IReadOnlyList<MetricSummary> Read(SqliteConnection connection, long runId)
    {
        using var command = connection.Command(
            """
            SELECT m.name, count(*), min(m.step), max(m.step),
                   (SELECT value FROM metrics WHERE run_id = $id AND name = m.name ORDER BY step DESC LIMIT 1),
                   (SELECT se FROM metrics WHERE run_id = $id AND name = m.name ORDER BY step DESC LIMIT 1)
            FROM metrics m WHERE m.run_id = $id GROUP BY m.name ORDER BY m.name
            """,
            ("$id", runId));
        using var reader = command.ExecuteReader();
        var list = new List<MetricSummary>();
        while (reader.Read())
            list.Add(new MetricSummary(reader.GetString(0), reader.GetInt64(1), reader.GetInt64(2), reader.GetInt64(3),
                Sql.Finite(reader.NullableDouble(4)), Sql.Finite(reader.NullableDouble(5))));
        return list;
    }
}
