using System.Diagnostics;
using Xunit.Abstractions;

namespace SharpEdge.Runs.Tests;

/// <summary>Timing tests run alone, so other test classes do not compete for the cores meanwhile.</summary>
[CollectionDefinition(nameof(TimingCollection), DisableParallelization = true)]
public sealed class TimingCollection;

[Collection(nameof(TimingCollection))]
public sealed class MetricThroughputTests(ITestOutputHelper output) : IDisposable
{
    private readonly TempFolder temp = new();

    public void Dispose() => temp.Dispose();

    [Fact]
    public void HundredThousandMetricRowsAppendWellUnderASecond()
    {
        using var store = RunStore.Open(temp.Path);
        string[] names = ["batch_loss", "full_loss", "lambda_max", "batch_sharpness", "gni"];
        var rows = new MetricRow[100_000];
        for (int i = 0; i < rows.Length; i++)
            rows[i] = new MetricRow(i / names.Length, i / names.Length / 128.0, names[i % names.Length], Math.Sin(i), i % 3 == 0 ? 0.01 : null, 64);
        store.AppendMetrics(store.CreateRun(RunStoreTests.Draft("warm-up")), rows.AsSpan(0, 1000).ToArray()); // JIT, page cache
        // Best of three runs: the machine may be shared, and one slow run says little about the store.
        var best = TimeSpan.MaxValue;
        long id = 0;
        for (int attempt = 0; attempt < 3 && best >= TimeSpan.FromSeconds(0.5); attempt++)
        {
            id = store.CreateRun(RunStoreTests.Draft($"big{attempt}"));
            var clock = Stopwatch.StartNew();
            store.AppendMetrics(id, rows);
            clock.Stop();
            output.WriteLine($"100k metric rows appended in {clock.Elapsed.TotalMilliseconds:F0} ms");
            if (clock.Elapsed < best) best = clock.Elapsed;
        }
        Assert.True(best < TimeSpan.FromSeconds(1), $"100k rows took {best.TotalMilliseconds:F0} ms at best");
        Assert.Equal(20_000, store.Metrics(id, "gni").Count);
        Assert.Equal(100_000, store.Metrics(id).Count);
    }
}
