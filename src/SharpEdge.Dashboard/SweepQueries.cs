using System.Globalization;
using System.Text.Json;
using Microsoft.Data.Sqlite;

namespace SharpEdge.Dashboard;

/// <summary>
/// Sweeps as the sweep tables of the store record them (<c>sweeps</c>, <c>tasks</c>: present only in stores that
/// ran a sweep): each sweep's progress by task state, its axes, and heatmaps of an observable over two axes with
/// the median over the other axes (seeds). Read with SQL of its own so the dashboard works on any store version.
/// </summary>
internal static class SweepQueries
{
    public static readonly string[] States = ["pending", "running", "done", "failed", "cancelled"];

    public static bool Present(SqliteConnection connection) =>
        StoreAccess.HasTable(connection, "sweeps") && StoreAccess.HasTable(connection, "tasks");

    public static IReadOnlyList<SweepSummary> List(SqliteConnection connection)
    {
        if (!Present(connection)) return [];
        var sweeps = new List<SweepSummary>();
        using (var command = connection.Command("SELECT name, command, backend, created FROM sweeps ORDER BY created, name"))
        using (var reader = command.ExecuteReader())
            while (reader.Read())
                sweeps.Add(new SweepSummary(reader.GetString(0), reader.GetString(1), reader.GetString(2), reader.GetString(3), []));
        return sweeps.Select(s => s with { States = StateCounts(connection, s.Name) }).ToList();
    }

    public static SweepSummary? Find(SqliteConnection connection, string name)
    {
        if (!Present(connection)) return null;
        using var command = connection.Command("SELECT name, command, backend, created FROM sweeps WHERE name = $name", ("$name", name));
        using var reader = command.ExecuteReader();
        return reader.Read()
            ? new SweepSummary(reader.GetString(0), reader.GetString(1), reader.GetString(2), reader.GetString(3), StateCounts(connection, name))
            : null;
    }

    public static Dictionary<string, long> StateCounts(SqliteConnection connection, string sweep)
    {
        var counts = States.ToDictionary(s => s, _ => 0L);
        using var command = connection.Command("SELECT state, count(*) FROM tasks WHERE sweep = $sweep GROUP BY state", ("$sweep", sweep));
        using var reader = command.ExecuteReader();
        while (reader.Read()) counts[reader.GetString(0)] = reader.GetInt64(1);
        return counts;
    }

    public static IReadOnlyList<SweepTaskRow> Tasks(SqliteConnection connection, string sweep)
    {
        using var command = connection.Command(
            "SELECT position, label, axes, state, attempts, error, run_id, seconds FROM tasks WHERE sweep = $sweep ORDER BY position",
            ("$sweep", sweep));
        using var reader = command.ExecuteReader();
        var tasks = new List<SweepTaskRow>();
        while (reader.Read())
            tasks.Add(new SweepTaskRow(reader.GetInt32(0), reader.GetString(1), Axes(reader.GetString(2)), reader.GetString(3),
                reader.GetInt32(4), reader.NullableString(5), reader.NullableLong(6), reader.NullableDouble(7)));
        return tasks;
    }

    /// <summary>The metric names the sweep's runs recorded: the observables a heatmap can show.</summary>
    public static IReadOnlyList<string> Observables(SqliteConnection connection, string sweep)
    {
        using var command = connection.Command(
            "SELECT DISTINCT name FROM metrics WHERE run_id IN (SELECT run_id FROM tasks WHERE sweep = $sweep AND run_id IS NOT NULL) ORDER BY name",
            ("$sweep", sweep));
        using var reader = command.ExecuteReader();
        var names = new List<string>();
        while (reader.Read()) names.Add(reader.GetString(0));
        return names;
    }

    /// <summary>
    /// The heatmap of <paramref name="observable"/> over axes x and y: one cell per pair of axis values any task has,
    /// the median over the cell's runs of each run's plateau (the mean of the last third of its finite values, as
    /// <c>sweep plot</c> defines it), the runs behind it and how many tasks of the cell are done.
    /// </summary>
    public static SweepHeatmap Heatmap(SqliteConnection connection, string sweep, string x, string y, string observable)
    {
        var tasks = Tasks(connection, sweep);
        foreach (var axis in new[] { x, y })
            if (!tasks.Any(t => t.Axes.ContainsKey(axis)))
                throw new ArgumentException($"sweep '{sweep}' has no axis '{axis}' (axes: {string.Join(", ", AxisNames(tasks))})");
        var xs = AxisValues(tasks, x);
        var ys = AxisValues(tasks, y);
        var cells = new List<HeatmapCell>();
        foreach (var (yValue, j) in ys.Select((v, j) => (v, j)))
            foreach (var (xValue, i) in xs.Select((v, i) => (v, i)))
            {
                var members = tasks.Where(t => t.Axes.GetValueOrDefault(x) == xValue && t.Axes.GetValueOrDefault(y) == yValue).ToList();
                var runs = members.Where(t => t.RunId is not null).Select(t => t.RunId!.Value).ToList();
                var values = runs.Select(r => Plateau(connection, r, observable)).Where(v => v is not null).Select(v => v!.Value).ToList();
                cells.Add(new HeatmapCell(i, j, Median(values), values.Count, members.Count, members.Count(t => t.State == "done"), runs));
            }
        return new SweepHeatmap(x, y, observable, xs, ys, cells);
    }

    public static IReadOnlyList<string> AxisNames(IEnumerable<SweepTaskRow> tasks) =>
        tasks.SelectMany(t => t.Axes.Keys).Distinct().Order(StringComparer.Ordinal).ToList();

    /// <summary>The distinct values of an axis, numerically ordered when they are all numbers.</summary>
    public static IReadOnlyList<string> AxisValues(IEnumerable<SweepTaskRow> tasks, string axis)
    {
        var values = tasks.Select(t => t.Axes.GetValueOrDefault(axis)).OfType<string>().Distinct().ToList();
        bool numeric = values.All(v => double.TryParse(v, NumberStyles.Float, CultureInfo.InvariantCulture, out _));
        return numeric
            ? values.OrderBy(v => double.Parse(v, NumberStyles.Float, CultureInfo.InvariantCulture)).ToList()
            : values.Order(StringComparer.Ordinal).ToList();
    }

    /// <summary>Mean of the finite values among the last third (at least one) of the run's values of the metric.</summary>
    public static double? Plateau(SqliteConnection connection, long runId, string metric)
    {
        long count = Convert.ToInt64(connection.Scalar("SELECT count(*) FROM metrics WHERE run_id = $id AND name = $name",
            ("$id", runId), ("$name", metric)), CultureInfo.InvariantCulture);
        if (count == 0) return null;
        long take = Math.Max(1, (count + 2) / 3);
        var mean = connection.Scalar(
            """
            SELECT avg(value) FROM (SELECT value FROM metrics WHERE run_id = $id AND name = $name ORDER BY step DESC LIMIT $take)
            WHERE value IS NOT NULL AND abs(value) <= 1.7976931348623157e308
            """,
            ("$id", runId), ("$name", metric), ("$take", take));
        return mean is double m ? m : null;
    }

    public static double? Median(IReadOnlyList<double> values)
    {
        if (values.Count == 0) return null;
        var sorted = values.Order().ToArray();
        int m = sorted.Length / 2;
        return sorted.Length % 2 == 1 ? sorted[m] : (sorted[m - 1] + sorted[m]) / 2;
    }

    /// <summary>A task's axis values: a JSON object whose values are kept as text, as the spec wrote them.</summary>
    private static Dictionary<string, string> Axes(string json)
    {
        var axes = new Dictionary<string, string>(StringComparer.Ordinal);
        try
        {
            using var document = JsonDocument.Parse(json);
            if (document.RootElement.ValueKind != JsonValueKind.Object) return axes;
            foreach (var property in document.RootElement.EnumerateObject())
                axes[property.Name] = property.Value.ValueKind == JsonValueKind.String ? property.Value.GetString()! : property.Value.GetRawText();
        }
        catch (JsonException)
        {
        }
        return axes;
    }
}

internal sealed record SweepSummary(string Name, string Command, string Backend, string Created, Dictionary<string, long> States);

internal sealed record SweepTaskRow(int Position, string Label, Dictionary<string, string> Axes, string State, int Attempts, string? Error,
                                    long? RunId, double? Seconds);

internal sealed record HeatmapCell(int X, int Y, double? Median, int Values, int Tasks, int Done, IReadOnlyList<long> Runs);

internal sealed record SweepHeatmap(string XAxis, string YAxis, string Observable, IReadOnlyList<string> X, IReadOnlyList<string> Y,
                                    IReadOnlyList<HeatmapCell> Cells);
