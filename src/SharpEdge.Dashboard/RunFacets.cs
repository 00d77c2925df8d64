using Microsoft.Data.Sqlite;

namespace SharpEdge.Dashboard;

/// <summary>The values the runs table can be filtered by, each with how many runs have it.</summary>
internal static class RunFacets
{
    public static Dictionary<string, IReadOnlyList<Facet>> Read(SqliteConnection connection)
    {
        var facets = new Dictionary<string, IReadOnlyList<Facet>>
        {
            ["status"] = Group(connection, "SELECT status, count(*) FROM runs GROUP BY status ORDER BY status"),
            ["kind"] = Group(connection, "SELECT kind, count(*) FROM runs GROUP BY kind ORDER BY kind"),
            ["model"] = Group(connection,
                "SELECT json_extract(config, '$.model') AS m, count(*) FROM runs WHERE m IS NOT NULL GROUP BY m ORDER BY m"),
            ["dataset"] = Group(connection,
                "SELECT json_extract(config, '$.dataset') AS d, count(*) FROM runs WHERE d IS NOT NULL GROUP BY d ORDER BY d"),
            ["tag"] = Group(connection, "SELECT j.value, count(*) FROM runs, json_each(runs.tags) AS j GROUP BY j.value ORDER BY j.value"),
            ["sweep"] = StoreAccess.HasTable(connection, "tasks")
                ? Group(connection, "SELECT sweep, count(run_id) FROM tasks GROUP BY sweep ORDER BY sweep")
                : [],
        };
        return facets;
    }

    private static List<Facet> Group(SqliteConnection connection, string sql)
    {
        using var command = connection.Command(sql);
        using var reader = command.ExecuteReader();
        var values = new List<Facet>();
        while (reader.Read())
            if (!reader.IsDBNull(0)) values.Add(new Facet(Convert.ToString(reader.GetValue(0), System.Globalization.CultureInfo.InvariantCulture)!, reader.GetInt64(1)));
        return values;
    }
}

internal sealed record Facet(string Value, long Count);
