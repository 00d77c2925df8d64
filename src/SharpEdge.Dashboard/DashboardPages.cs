using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;

namespace SharpEdge.Dashboard;

/// <summary>
/// The pages: static HTML from <see cref="EmbeddedAssets"/> whose scripts read the API. A page for a run or sweep
/// that does not exist is the 404 page with status 404, checked here rather than left to the script.
/// </summary>
internal static class DashboardPages
{
    public static void Map(WebApplication app, StoreAccess store, EmbeddedAssets assets)
    {
        app.MapGet("/", (HttpContext c) => Page(c, assets, "runs.html"));
        app.MapGet("/compare", (HttpContext c) => Page(c, assets, "compare.html"));
        app.MapGet("/sweeps", (HttpContext c) => Page(c, assets, "sweeps.html"));
        app.MapGet("/phase", (HttpContext c) => Page(c, assets, "phase.html"));
        app.MapGet("/runs/{id}", (HttpContext c, string id) =>
            Page(c, assets, DashboardApi.FindRun(store, id) is null ? null : "run.html"));
        app.MapGet("/sweeps/{name}", (HttpContext c, string name) =>
        {
            using var connection = store.Connect();
            return Page(c, assets, connection is not null && SweepQueries.Find(connection, name) is not null ? "sweep.html" : null);
        });
        app.MapGet("/static/{**path}", async (HttpContext c, string path) =>
        {
            if (!await assets.Write(c, path)) await assets.Write(c, "404.html", StatusCodes.Status404NotFound);
        });
        app.MapFallback((HttpContext c) => Page(c, assets, null));
    }

    /// <summary>The page, or the 404 page when <paramref name="page"/> is null.</summary>
    private static async Task Page(HttpContext context, EmbeddedAssets assets, string? page)
    {
        if (page is null || !await assets.Write(context, page)) await assets.Write(context, "404.html", StatusCodes.Status404NotFound);
    }
}
