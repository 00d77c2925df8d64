using System.Globalization;
using Microsoft.Data.Sqlite;

namespace SharpEdge.Dashboard;

/// <summary>
/// One page of the runs table: filters (status, kind, model, dataset, tag, sweep, free-text search), a sort
/// column from a fixed list and a page. Everything runs in SQL, so a 10⁴-run store costs one indexed count and
/// one page of rows per request.
/// </summary>
internal sealed record RunsQuery
{
    public const int DefaultPageSize = 50;
    public const int MaxPageSize = 500;

    /// <summary>Sort keys the table offers, and the SQL expression each sorts by (never user text); the flag marks
    /// expressions that can be null (nulls sort last either way).</summary>
    private static readonly Dictionary<string, (string Sql, bool Nullable)> SortColumns = new(StringComparer.Ordinal)
    {
        ["id"] = ("id", false), ["name"] = ("name", false), ["kind"] = ("kind", false), ["status"] = ("status", false),
        ["created"] = ("created", false), ["seconds"] = ("seconds", true),
        ["model"] = ("json_extract(config, '$.model')", true), ["dataset"] = ("json_extract(config, '$.dataset')", true),
        ["lr"] = ("json_extract(config, '$.lr')", true), ["batch"] = (BatchSql, true),
        ["steps"] = (StepsSql, true), ["last_loss"] = (LastLossSql, true),
    };

    private const string BatchSql = "coalesce(json_extract(config, '$.batch'), json_extract(config, '$.bs'))";
    // index seeks on metrics' (run_id, name, step) key
    private const string StepsSql = "(SELECT max(step) FROM metrics WHERE run_id = runs.id AND name = 'loss')";
    private const string LastLossSql = "(SELECT value FROM metrics WHERE run_id = runs.id AND name = 'loss' ORDER BY step DESC LIMIT 1)";

    public string? Status { get; init; }
    public string? Kind { get; init; }
    public string? Model { get; init; }
    public string? Dataset { get; init; }
    public string? Tag { get; init; }
    public string? Sweep { get; init; }
    public string? Search { get; init; }
    public string Sort { get; init; } = "id";
    public bool Descending { get; init; } = true;
    public int Page { get; init; } = 1;
    public int PageSize { get; init; } = DefaultPageSize;

    /// <summary>Reads the query string; unknown sort keys and bad numbers are errors (400), not silently ignored.</summary>
    public static RunsQuery From(IReadOnlyDictionary<string, string?> q)
    {
        string? Text(string key) => q.TryGetValue(key, out var v) && !string.IsNullOrWhiteSpace(v) ? v.Trim() : null;
        int Number(string key, int fallback, int min, int max)
        {
            if (Text(key) is not { } text) return fallback;
            if (!int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out int n) || n < min || n > max)
                throw new ArgumentException($"{key}: '{text}' is not a whole number in {min}–{max}");
            return n;
        }
        string sort = Text("sort") ?? "id";
        if (!SortColumns.ContainsKey(sort)) throw new ArgumentException($"sort: unknown column '{sort}' (one of {string.Join(", ", SortColumns.Keys)})");
        string order = Text("order") ?? "desc";
        if (order is not ("asc" or "desc")) throw new ArgumentException($"order: '{order}' is neither asc nor desc");
        return new RunsQuery
        {
            Status = Text("status"), Kind = Text("kind"), Model = Text("model"), Dataset = Text("dataset"), Tag = Text("tag"),
            Sweep = Text("sweep"), Search = Text("q"), Sort = sort, Descending = order == "desc",
            Page = Number("page", 1, 1, int.MaxValue), PageSize = Number("size", DefaultPageSize, 1, MaxPageSize),
        };
    }

    /// <summary>The page of rows and the number of runs that match.</summary>
    public (IReadOnlyList<RunRow> Rows, long Total) Run(SqliteConnection connection)
    {
        var where = new List<string>();
        var parameters = new List<(string, object?)>();
        void Add(string clause, string name, object? value) { where.Add(clause); parameters.Add((name, value)); }
        if (Status is not null) Add("status = $status", "$status", Status);
        if (Kind is not null) Add("kind = $kind", "$kind", Kind);
        if (Model is not null) Add("json_extract(config, '$.model') = $model", "$model", Model);
        if (Dataset is not null) Add("json_extract(config, '$.dataset') = $dataset", "$dataset", Dataset);
        if (Tag is not null) Add("EXISTS (SELECT 1 FROM json_each(runs.tags) WHERE json_each.value = $tag)", "$tag", Tag);
        if (Sweep is not null)
        {
            // a store that never ran a sweep has no tasks table: no run belongs to any sweep
            if (StoreAccess.HasTable(connection, "tasks")) Add("id IN (SELECT run_id FROM tasks WHERE sweep = $sweep)", "$sweep", Sweep);
            else where.Add("0");
        }
        if (Search is not null)
            Add("(CAST(id AS TEXT) = $search OR instr(lower(name || ' ' || tags || ' ' || config), lower($search)) > 0)", "$search", Search);
        string filter = where.Count > 0 ? " WHERE " + string.Join(" AND ", where) : "";

        long total = Convert.ToInt64(connection.Scalar("SELECT count(*) FROM runs" + filter, [.. parameters]), CultureInfo.InvariantCulture);
        string direction = Descending ? "DESC" : "ASC";
        var (key, nullable) = SortColumns[Sort];
        string order = (nullable ? $"{key} IS NULL, " : "") + $"{key} {direction}, id {direction}";
        // The page's ids first, so the display columns (JSON fields, last loss) are computed for one page only;
        // sorting by id walks the primary key and touches nothing else.
        string sql =
            $"""
            WITH page AS (SELECT id FROM runs{filter} ORDER BY {order} LIMIT $limit OFFSET $offset)
            SELECT id, name, kind, status, created, seconds, tags, parent_id,
                   json_extract(config, '$.model'), json_extract(config, '$.dataset'), json_extract(config, '$.lr'), {BatchSql},
                   {StepsSql}, {LastLossSql}
            FROM runs WHERE id IN page ORDER BY {order}
            """;
        parameters.Add(("$limit", PageSize));
        parameters.Add(("$offset", (long)(Page - 1) * PageSize));
        using var command = connection.Command(sql, [.. parameters]);
        using var reader = command.ExecuteReader();
        var rows = new List<RunRow>();
        while (reader.Read())
            rows.Add(new RunRow(
                reader.GetInt64(0), reader.GetString(1), reader.GetString(2), reader.GetString(3), reader.GetString(4),
                reader.NullableDouble(5), Json.StringArray(reader.GetString(6)), reader.NullableLong(7),
                Text(reader, 8), Text(reader, 9), reader.IsDBNull(10) ? null : Sql.Finite(AsDouble(reader.GetValue(10))),
                reader.IsDBNull(11) ? null : AsDouble(reader.GetValue(11)), reader.NullableLong(12), Sql.Finite(reader.NullableDouble(13))));
        return (rows, total);
    }

    private static string? Text(SqliteDataReader reader, int column) =>
        reader.IsDBNull(column) ? null : Convert.ToString(reader.GetValue(column), CultureInfo.InvariantCulture);

    private static double? AsDouble(object value) => value switch
    {
        long l => l,
        double d => d,
        string s when double.TryParse(s, NumberStyles.Float, CultureInfo.InvariantCulture, out var d) => d,
        _ => null,
    };
}

/// <summary>One row of the runs table.</summary>
internal sealed record RunRow(
    long Id, string Name, string Kind, string Status, string Created, double? Seconds, IReadOnlyList<string> Tags, long? ParentId,
    string? Model, string? Dataset, double? Lr, double? Batch, long? Steps, double? LastLoss);
