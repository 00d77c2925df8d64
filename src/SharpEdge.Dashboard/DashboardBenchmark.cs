using System.Diagnostics;
using SharpEdge.Dashboard.Browser;
using SharpEdge.Runs;

namespace SharpEdge.Dashboard;

/// <summary>
/// <c>bench serve</c>: how long pages take to render in headless Chromium over a <see cref="BenchmarkStore"/>
/// (a 10⁴-run runs table, a run page with 10⁵ loss points), and how long a row written to the store takes to
/// appear on an open run page. Render time is the page's own <c>performance.now()</c> when its script marked it
/// ready: from navigation start to data fetched and charts drawn.
/// </summary>
public static class DashboardBenchmark
{
    public sealed record Timing(string Page, string Path, int Repeats, double MedianMs, double MaxMs);

    public static async Task<IReadOnlyList<Timing>> RunAsync(string chromium, BenchmarkStore.Contents store, int repeat,
                                                           string? screenshots, Action<string> log, CancellationToken cancel = default)
    {
        await using var server = await DashboardServer.StartAsync(new DashboardOptions { ResultsFolder = store.Folder, Port = 0 }, cancel);
        await using var browser = await HeadlessChromium.LaunchAsync(chromium, cancel);
        var pages = new (string Name, string Path, string Shot)[]
        {
            ("runs table, first page of all runs", "/", "runs"),
            ("runs table sorted by last loss", "/?sort=last_loss&order=asc", ""),
            ("runs table, text search", "/?q=mlp_tanh", ""),
            ("run page of the long run (all its loss points, thinned to 2,000)", $"/runs/{store.LongRun}", "run"),
            ("compare page, 3 runs", $"/compare?ids={store.LongRun},{store.LiveRun},{store.Sweep[^1]}", "compare"),
            ("sweep page with heatmap", "/sweeps/lr-width?x=lr&y=width&observable=lambda_max", "sweep"),
        };
        var timings = new List<Timing>();
        foreach (var (name, path, shot) in pages)
        {
            var samples = new List<double>();
            for (int i = 0; i <= repeat; i++) // the first load warms the server's JIT and SQLite's cache; not counted
            {
                var page = await browser.NewPageAsync(cancel: cancel);
                await page.NavigateAsync(new Uri(server.Address, path), cancel);
                await page.WaitForAsync("document.body && document.body.dataset.ready === '1'", TimeSpan.FromSeconds(120), cancel);
                double ms = (await page.EvaluateAsync("window.sharpedgeRenderMs", cancel)).GetDouble();
                if (i > 0) samples.Add(ms);
                if (i == repeat && screenshots is not null && shot.Length > 0)
                {
                    Directory.CreateDirectory(screenshots);
                    await File.WriteAllBytesAsync(Path.Combine(screenshots, shot + ".png"), await page.ScreenshotAsync(cancel: cancel), cancel);
                }
                await page.CloseAsync(cancel);
            }
            samples.Sort();
            timings.Add(new Timing(name, path, samples.Count, samples[samples.Count / 2], samples[^1]));
            log($"bench serve: {name}: median {samples[samples.Count / 2]:F0} ms, max {samples[^1]:F0} ms");
        }
        timings.Add(await LiveLatency(browser, server, store, repeat, cancel));
        log($"bench serve: {timings[^1].Page}: median {timings[^1].MedianMs:F0} ms, max {timings[^1].MaxMs:F0} ms");
        return timings;
    }

    /// <summary>Time from committing a row to the store to the open run page showing it (default 500 ms polling).</summary>
    private static async Task<Timing> LiveLatency(HeadlessChromium browser, DashboardServer server, BenchmarkStore.Contents store, int repeat, CancellationToken cancel)
    {
        var page = await browser.NewPageAsync(cancel: cancel);
        await page.NavigateAsync(new Uri(server.Address, $"/runs/{store.LiveRun}"), cancel);
        await page.WaitForAsync("document.querySelector('#live.on')", TimeSpan.FromSeconds(60), cancel);
        using var writer = RunStore.Open(store.Folder);
        long step = writer.Metrics(store.LiveRun, "loss")[^1].Step;
        var samples = new List<double>();
        for (int i = 0; i < repeat; i++)
        {
            int before = (await page.EvaluateAsync("+document.querySelector('.count[data-metric=loss]').dataset.points", cancel)).GetInt32();
            await Task.Delay(137 * (i + 1) % 500, cancel); // land at different phases of the server's polling
            var clock = Stopwatch.StartNew();
            writer.AppendMetrics(store.LiveRun, [new MetricRow(++step, null, "loss", 0.05)]);
            await page.WaitForAsync($"+document.querySelector('.count[data-metric=loss]').dataset.points > {before}", TimeSpan.FromSeconds(30), cancel);
            samples.Add(clock.Elapsed.TotalMilliseconds);
        }
        await page.CloseAsync(cancel);
        samples.Sort();
        return new Timing("live update: row written → drawn on the open run page", $"/runs/{store.LiveRun}", samples.Count, samples[samples.Count / 2], samples[^1]);
    }

}
