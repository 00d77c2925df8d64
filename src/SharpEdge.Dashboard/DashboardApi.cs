using System.Globalization;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.Hosting;
using SharpEdge.Runs;

namespace SharpEdge.Dashboard;

/// <summary>
/// The JSON API under <c>/api</c> and the file downloads under <c>/files</c>. Ids are parsed before the store is
/// asked; an id that is not a number or names no run or sweep answers 404, a bad query value 400.
/// </summary>
internal static class DashboardApi
{
    public const int DefaultPoints = 2000;
    public const int MaxPoints = 20000;

    public static void Map(WebApplication app, StoreAccess store, PhaseFolders phase, TimeSpan poll)
    {
        var stopping = app.Services.GetService(typeof(IHostApplicationLifetime)) is IHostApplicationLifetime life ? life.ApplicationStopping : CancellationToken.None;
        var api = app.MapGroup("/api");

        api.MapGet("/status", () =>
        {
            using var connection = store.Connect();
            return Ok(new
            {
                results_folder = store.ResultsFolder,
                store = connection is not null,
                runs = connection is null ? 0 : Convert.ToInt64(connection.Scalar("SELECT count(*) FROM runs"), CultureInfo.InvariantCulture),
                sweeps = connection is not null && SweepQueries.Present(connection),
            });
        });

        api.MapGet("/runs", (HttpRequest request) =>
        {
            var query = RunsQuery.From(QueryOf(request));
            using var connection = store.Connect();
            if (connection is null) return Ok(new { total = 0, page = query.Page, size = query.PageSize, rows = Array.Empty<RunRow>() });
            var (rows, total) = query.Run(connection);
            return Ok(new { total, page = query.Page, size = query.PageSize, rows });
        });

        api.MapGet("/runs/facets", () =>
        {
            using var connection = store.Connect();
            return Ok(connection is null ? new Dictionary<string, IReadOnlyList<Facet>>() : RunFacets.Read(connection));
        });

        api.MapGet("/runs/{id}", (string id) =>
        {
            if (FindRun(store, id) is not { } run) return NotFound($"no run '{id}'");
            using var connection = store.Connect()!;
            var lr = run.Config["lr"] is { } node && node.GetValueKind() == System.Text.Json.JsonValueKind.Number ? node.GetValue<double>() : (double?)null;
            return Ok(new
            {
                id = run.Id, name = run.Name, kind = run.Kind, status = run.Status.ToText(), config = run.Config,
                created = run.Created, started = run.Started, finished = run.Finished, resumed = run.Resumed, seconds = run.Seconds,
                code_version = run.CodeVersion, parent_id = run.ParentId, fork_step = run.ForkStep, folder = run.Folder,
                error = run.Error, host = run.Host, pid = run.Pid, tags = run.Tags,
                lr, threshold = lr is > 0 ? 2 / lr : null,
                metrics = MetricSummary.Read(connection, run.Id),
                files = RunFiles(store, run),
            });
        });

        api.MapGet("/runs/{id}/metrics", (string id, HttpRequest request) =>
        {
            if (FindRun(store, id) is not { } run) return NotFound($"no run '{id}'");
            var q = QueryOf(request);
            int points = Integer(q, "points", DefaultPoints, 4, MaxPoints);
            long? from = Long(q, "from"), to = Long(q, "to");
            using var connection = store.Connect()!;
            var names = q.GetValueOrDefault("names") is { Length: > 0 } list
                ? list.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
                : MetricSummary.Read(connection, run.Id).Select(m => m.Name).ToArray();
            var series = names.Distinct().Select(n => MetricSeries.Read(connection, run.Id, n, points, from, to)).ToList();
            return Ok(new { run_id = run.Id, points, series });
        });

        api.MapGet("/runs/{id}/events", async (string id, HttpContext context) =>
        {
            if (FindRun(store, id) is not { } run)
            {
                await NotFound($"no run '{id}'").ExecuteAsync(context);
                return;
            }
            var cursor = MetricStream.ParseCursor(context.Request.Query["cursor"]);
            using var connection = store.Connect()!;
            await MetricStream.Serve(context, connection, run.Id, cursor, poll, stopping);
        });

        api.MapGet("/sweeps", () =>
        {
            using var connection = store.Connect();
            return Ok(new { present = connection is not null && SweepQueries.Present(connection), sweeps = connection is null ? [] : SweepQueries.List(connection) });
        });

        api.MapGet("/sweeps/{name}", (string name) =>
        {
            using var connection = store.Connect();
            if (connection is null || SweepQueries.Find(connection, name) is not { } sweep) return NotFound($"no sweep '{name}'");
            var tasks = SweepQueries.Tasks(connection, name);
            var axes = SweepQueries.AxisNames(tasks).ToDictionary(a => a, a => SweepQueries.AxisValues(tasks, a));
            return Ok(new { sweep, axes, observables = SweepQueries.Observables(connection, name), tasks });
        });

        api.MapGet("/sweeps/{name}/heatmap", (string name, HttpRequest request) =>
        {
            using var connection = store.Connect();
            if (connection is null || SweepQueries.Find(connection, name) is null) return NotFound($"no sweep '{name}'");
            var q = QueryOf(request);
            string Required(string key) => q.GetValueOrDefault(key) is { Length: > 0 } v ? v : throw new ArgumentException($"{key}: required");
            return Ok(SweepQueries.Heatmap(connection, name, Required("x"), Required("y"), Required("observable")));
        });

        api.MapGet("/phase", () =>
        {
            using var connection = store.Connect();
            return Ok(new { folders = phase.Find(connection) });
        });

        api.MapFallback(() => NotFound("no such API endpoint"));

        app.MapGet("/files/runs/{id}/{name}", (string id, string name) =>
        {
            if (FindRun(store, id) is not { } run || run.Folder is null) return NotFound("no such file");
            return ContainedPath.File(store.ResultsFolder, run.Folder, name) is { } path ? Download(path) : NotFound("no such file");
        });

        app.MapGet("/files/phase/{index}/{part}/{name}", (string index, string part, string name) =>
        {
            if (!int.TryParse(index, NumberStyles.None, CultureInfo.InvariantCulture, out int i)) return NotFound("no such file");
            using var connection = store.Connect();
            return phase.File(connection, i, part, name) is { } path ? Download(path) : NotFound("no such file");
        });
    }

    /// <summary>The run with this id (digits only), or null: ids are never looked up by name here.</summary>
    public static RunRecord? FindRun(StoreAccess store, string id)
    {
        if (id.Length is 0 or > 18 || !long.TryParse(id, NumberStyles.None, CultureInfo.InvariantCulture, out long value)) return null;
        // FindRun also matches names; only a run whose id is this number counts
        return store.Runs?.FindRun(id) is { } run && run.Id == value ? run : null;
    }

    private static IReadOnlyList<string> RunFiles(StoreAccess store, RunRecord run) =>
        run.Folder is null ? [] : ContainedPath.List(store.ResultsFolder, run.Folder);

    private static IResult Download(string path)
    {
        string type = Path.GetExtension(path).ToLowerInvariant() switch
        {
            ".png" => "image/png",
            ".svg" => "image/svg+xml",
            ".json" => "application/json",
            ".csv" => "text/csv; charset=utf-8",
            ".txt" or ".log" => "text/plain; charset=utf-8",
            _ => "application/octet-stream",
        };
        return Results.File(path, type, enableRangeProcessing: false);
    }

    private static IResult Ok(object value) => Results.Json(value, Json.Options);

    private static IResult NotFound(string message) => Results.Json(new { error = message }, Json.Options, statusCode: StatusCodes.Status404NotFound);

    private static Dictionary<string, string?> QueryOf(HttpRequest request) =>
        request.Query.ToDictionary(p => p.Key, p => (string?)p.Value.ToString(), StringComparer.Ordinal);

    private static int Integer(IReadOnlyDictionary<string, string?> q, string key, int fallback, int min, int max)
    {
        if (q.GetValueOrDefault(key) is not { Length: > 0 } text) return fallback;
        if (!int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out int n) || n < min || n > max)
            throw new ArgumentException($"{key}: '{text}' is not a whole number in {min}–{max}");
        return n;
    }

    private static long? Long(IReadOnlyDictionary<string, string?> q, string key)
    {
        if (q.GetValueOrDefault(key) is not { Length: > 0 } text) return null;
        return long.TryParse(text, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out long n) ? n
            : throw new ArgumentException($"{key}: '{text}' is not a step number");
    }
}
