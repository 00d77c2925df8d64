using System.Net;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using SharpEdge.Runs;

namespace SharpEdge.Dashboard;

/// <summary>
/// <c>sharpedge serve</c>: Kestrel with the JSON API (<see cref="DashboardApi"/>), the pages
/// (<see cref="DashboardPages"/>) and the token gate, over a read-only view of one results folder.
/// </summary>
public sealed class DashboardServer : IAsyncDisposable
{
    private readonly WebApplication app;
    private readonly StoreAccess store;

    private DashboardServer(WebApplication app, StoreAccess store, Uri address)
    {
        this.app = app;
        this.store = store;
        Address = address;
    }

    /// <summary>Where the server listens, e.g. <c>http://127.0.0.1:8765/</c> (the real port when 0 was asked).</summary>
    public Uri Address { get; }

    public static async Task<DashboardServer> StartAsync(DashboardOptions options, CancellationToken cancel = default)
    {
        ArgumentNullException.ThrowIfNull(options);
        IPAddress address = options.Validate();
        var store = new StoreAccess(options.ResultsFolder);
        // the content root is the program's folder, not the results folder: that may not exist yet (the store may
        // appear after the server starts), and ASP.NET refuses a content root that does not exist
        var builder = WebApplication.CreateSlimBuilder(new WebApplicationOptions { ContentRootPath = AppContext.BaseDirectory });
        builder.Logging.ClearProviders();
        builder.Logging.AddConsole(o => o.LogToStandardErrorThreshold = LogLevel.Trace).SetMinimumLevel(LogLevel.Warning);
        builder.Services.Configure<HostOptions>(o => o.ShutdownTimeout = TimeSpan.FromSeconds(2));
        builder.WebHost.ConfigureKestrel(k =>
        {
            k.AddServerHeader = false;
            k.Listen(address, options.Port);
        });
        var app = builder.Build();
        var gate = new TokenGate(options.Token);
        app.Use(gate.Invoke);
        app.Use(ErrorsAsJson);
        var assets = new EmbeddedAssets(typeof(DashboardServer).Assembly);
        var phase = new PhaseFolders(store.ResultsFolder, options.PhaseFolders);
        DashboardApi.Map(app, store, phase, options.PollInterval);
        DashboardPages.Map(app, store, assets);
        try
        {
            await app.StartAsync(cancel);
        }
        catch (IOException e)
        {
            await app.DisposeAsync();
            store.Dispose();
            throw new IOException($"cannot listen on {options.Host}:{options.Port} ({e.Message})", e);
        }
        var bound = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        return new DashboardServer(app, store, new Uri(bound.EndsWith('/') ? bound : bound + "/"));
    }

    public Task WaitForShutdownAsync(CancellationToken cancel = default) => app.WaitForShutdownAsync(cancel);

    public async ValueTask DisposeAsync()
    {
        await app.StopAsync();
        await app.DisposeAsync();
        store.Dispose();
    }

    /// <summary>Bad query values answer 400 and an unreadable store 503, each with a one-line JSON error.</summary>
    private static async Task ErrorsAsJson(HttpContext context, RequestDelegate next)
    {
        try
        {
            await next(context);
        }
        catch (Exception e) when (!context.Response.HasStarted && e is ArgumentException or FormatException or RunStoreException)
        {
            context.Response.Clear();
            context.Response.StatusCode = e is RunStoreException ? StatusCodes.Status503ServiceUnavailable : StatusCodes.Status400BadRequest;
            await context.Response.WriteAsJsonAsync(new { error = e.Message });
        }
    }
}
