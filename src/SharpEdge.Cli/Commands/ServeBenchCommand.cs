using System.CommandLine;
using System.Diagnostics;
using SharpEdge.Dashboard;
using SharpEdge.Dashboard.Browser;

namespace SharpEdge.Cli.Commands;

/// <summary><c>bench serve</c>: dashboard page render times in headless Chromium over a synthetic store (docs/dashboard.md).</summary>
public static class ServeBenchCommand
{
    public static Command Create()
    {
        var runs = new Option<int>("--runs") { Description = "runs in the synthetic store", DefaultValueFactory = _ => 10_000 };
        var points = new Option<int>("--points") { Description = "loss points of the long run", DefaultValueFactory = _ => 100_000 };
        var repeat = new Option<int>("--repeat") { Description = "loads of each page (after one warm-up)", DefaultValueFactory = _ => 5 };
        var keep = new Option<string?>("--keep") { Description = "build the store in this folder and keep it (serve it afterwards to look around)" };
        var screenshots = new Option<string?>("--screenshots") { Description = "save a screenshot of each page into this folder" };
        var json = CommonOptions.Json();
        var command = new Command("serve", "Render times of the dashboard's pages in headless Chromium: a 10⁴-run runs table, a 10⁵-point run page, live-update latency.")
        {
            runs, points, repeat, keep, screenshots, json,
        };
        command.SetAction(parse =>
        {
            string chromium = HeadlessChromium.FindExecutable()
                ?? throw new InvalidOperationException($"bench serve needs Chromium: apt-get install chromium (or set {HeadlessChromium.ExecutableVariable})");
            if (parse.GetValue(repeat) < 1) throw new ArgumentException("--repeat: at least 1");
            string folder = parse.GetValue(keep) ?? Path.Combine(Path.GetTempPath(), "sharpedge-bench-serve-" + Guid.NewGuid().ToString("N"));
            if (File.Exists(Path.Combine(folder, Runs.RunStore.FileName))) throw new IOException($"{folder} already holds a run store; give an empty folder to --keep");
            try
            {
                var clock = Stopwatch.StartNew();
                var store = BenchmarkStore.Create(folder, parse.GetValue(runs), parse.GetValue(points));
                CommandRunner.Log($"bench serve: store with {parse.GetValue(runs):N0} runs and a {parse.GetValue(points):N0}-point run written in {clock.Elapsed.TotalSeconds:F1} s ({folder})");
                var timings = DashboardBenchmark.RunAsync(chromium, store, parse.GetValue(repeat), parse.GetValue(screenshots), CommandRunner.Log).GetAwaiter().GetResult();
                if (parse.GetValue(json))
                    CommandRunner.WriteJson(new { runs = parse.GetValue(runs), points = parse.GetValue(points), pages = timings });
                else
                    foreach (var t in timings) Console.WriteLine($"{t.Page,-66} median {t.MedianMs,6:F0} ms   max {t.MaxMs,6:F0} ms   ({t.Repeats} loads)");
            }
            finally
            {
                if (parse.GetValue(keep) is null) TryDelete(folder);
            }
        });
        return command;
    }

    private static void TryDelete(string folder)
    {
        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        try { Directory.Delete(folder, recursive: true); }
        catch (IOException) { }
    }
}
