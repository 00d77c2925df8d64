using System.Globalization;
using System.Text.Json;
using Microsoft.AspNetCore.Http;
using Microsoft.Data.Sqlite;

namespace SharpEdge.Dashboard;

/// <summary>
/// Server-sent events for an open run page: the metric rows the store gained since the page's data, and the
/// run's status when it changes. The stream polls <c>PRAGMA data_version</c> on its own read-only connection,
/// which changes only when another connection commits, so an idle run costs one tiny query per poll; after a
/// commit it reads, per metric, only the rows past what the page has (index range seeks).
/// </summary>
/// <remarks>
/// Events: <c>metrics</c> {name: {steps, values, se}}, <c>status</c> {status, seconds, error}, and <c>reset</c>
/// when the page should reload its data instead: rows were deleted (a run resumed from a checkpoint) or more
/// arrived at once than are worth sending raw (<see cref="MaxBacklog"/>).
/// </remarks>
internal static class MetricStream
{
    public const int MaxBacklog = 5000;
    private static readonly TimeSpan Heartbeat = TimeSpan.FromSeconds(15);

    /// <summary>Parses <c>name:step,name:step</c>, the last step the page has of each metric.</summary>
    public static Dictionary<string, long> ParseCursor(string? text)
    {
        var cursor = new Dictionary<string, long>(StringComparer.Ordinal);
        if (string.IsNullOrWhiteSpace(text)) return cursor;
        foreach (var part in text.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            int colon = part.LastIndexOf(':');
            if (colon <= 0 || !long.TryParse(part.AsSpan(colon + 1), NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out long step))
                throw new ArgumentException($"cursor: '{part}' is not name:step");
            cursor[part[..colon]] = step;
        }
        return cursor;
    }

    public static async Task Serve(HttpContext context, SqliteConnection connection, long runId, Dictionary<string, long> cursor,
                                   TimeSpan poll, CancellationToken stopping)
    {
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(context.RequestAborted, stopping);
        var token = linked.Token;
        var response = context.Response;
        response.ContentType = "text/event-stream";
        response.Headers.CacheControl = "no-cache";
        response.Headers["X-Accel-Buffering"] = "no";
        await response.WriteAsync("retry: 2000\n\n", token);
        await response.Body.FlushAsync(token);

        // names the page knows but the store does not are forgotten, so they cannot trigger resets
        var names = MetricNames(connection, runId);
        foreach (var name in cursor.Keys.Where(n => !names.Contains(n)).ToList()) cursor.Remove(name);

        long? version = null;
        string? status = null;
        var lastWrite = DateTime.UtcNow;
        try
        {
            while (!token.IsCancellationRequested)
            {
                long now = Convert.ToInt64(connection.Scalar("PRAGMA data_version"), CultureInfo.InvariantCulture);
                if (now != version)
                {
                    version = now;
                    var state = RunState(connection, runId);
                    if (state is null)
                    {
                        await Send(response, "status", new { status = "deleted", seconds = (double?)null, error = (string?)null }, token);
                        return;
                    }
                    if (state.Value.Status != status)
                    {
                        status = state.Value.Status;
                        await Send(response, "status", new { status, seconds = state.Value.Seconds, error = state.Value.Error }, token);
                    }
                    var (rows, reset) = NewRows(connection, runId, cursor);
                    if (reset)
                    {
                        await Send(response, "reset", new { }, token);
                        return; // the page reloads its data and opens a new stream
                    }
                    if (rows.Count > 0) await Send(response, "metrics", rows, token);
                    lastWrite = DateTime.UtcNow;
                }
                else if (DateTime.UtcNow - lastWrite > Heartbeat)
                {
                    await response.WriteAsync(": alive\n\n", token);
                    await response.Body.FlushAsync(token);
                    lastWrite = DateTime.UtcNow;
                }
                await Task.Delay(poll, token);
            }
        }
        catch (OperationCanceledException)
        {
            // the page closed or the server is stopping
        }
    }

    private static (Dictionary<string, object> Rows, bool Reset) NewRows(SqliteConnection connection, long runId, Dictionary<string, long> cursor)
    {
        var rows = new Dictionary<string, object>(StringComparer.Ordinal);
        foreach (var name in MetricNames(connection, runId))
        {
            bool known = cursor.TryGetValue(name, out long after);
            if (!known) after = long.MinValue;
            using var command = connection.Command(
                "SELECT step, value, se FROM metrics WHERE run_id = $id AND name = $name AND step > $after ORDER BY step LIMIT $limit",
                ("$id", runId), ("$name", name), ("$after", after), ("$limit", MaxBacklog + 1));
            using var reader = command.ExecuteReader();
            var steps = new List<long>();
            var values = new List<double?>();
            var se = new List<double?>();
            while (reader.Read())
            {
                steps.Add(reader.GetInt64(0));
                values.Add(Sql.Finite(reader.NullableDouble(1)));
                se.Add(Sql.Finite(reader.NullableDouble(2)));
            }
            if (steps.Count > MaxBacklog) return (rows, true);
            if (steps.Count > 0)
            {
                rows[name] = new { steps, values, se = se.Any(s => s is not null) ? se : null };
                cursor[name] = steps[^1];
            }
        }
        // a known metric whose newest row is older than what the page has lost rows (resume deletes them)
        foreach (var (name, after) in cursor)
            if (connection.Scalar("SELECT max(step) FROM metrics WHERE run_id = $id AND name = $name", ("$id", runId), ("$name", name)) is not long last
                || last < after)
                return (rows, true);
        return (rows, false);
    }

    /// <summary>The run's metric names, one index seek each (no scan of the run's rows).</summary>
    private static HashSet<string> MetricNames(SqliteConnection connection, long runId)
    {
        var names = new HashSet<string>(StringComparer.Ordinal);
        string previous = "";
        while (connection.Scalar("SELECT name FROM metrics WHERE run_id = $id AND name > $previous ORDER BY name LIMIT 1",
                   ("$id", runId), ("$previous", previous)) is string next)
        {
            names.Add(next);
            previous = next;
        }
        return names;
    }

    private static (string Status, double? Seconds, string? Error)? RunState(SqliteConnection connection, long runId)
    {
        using var command = connection.Command("SELECT status, seconds, error FROM runs WHERE id = $id", ("$id", runId));
        using var reader = command.ExecuteReader();
        return reader.Read() ? (reader.GetString(0), reader.NullableDouble(1), reader.NullableString(2)) : null;
    }

    private static async Task Send(HttpResponse response, string name, object data, CancellationToken token)
    {
        await response.WriteAsync($"event: {name}\ndata: {JsonSerializer.Serialize(data, Json.Options)}\n\n", token);
        await response.Body.FlushAsync(token);
    }
}
