using SharpEdge.Tests;
namespace SharpEdge.Runs.Tests;

/// <summary>A long run's worth of rows in one append: all stored, in order, with their fields (speed is a benchmark's business).</summary>
public sealed class MetricBulkAppendTests : IDisposable
{
    private readonly TempFolder temp = new();

    public void Dispose() => temp.Dispose();

    [Fact]
    public void HundredThousandMetricRowsRoundTripInOneAppend()
    {
        using var store = RunStore.Open(temp.Path);
        string[] names = ["batch_loss", "full_loss", "lambda_max", "batch_sharpness", "gni"];
        var rows = new MetricRow[100_000];
        for (int i = 0; i < rows.Length; i++)
            rows[i] = new MetricRow(i / names.Length, i / names.Length / 128.0, names[i % names.Length], Math.Sin(i), i % 3 == 0 ? 0.01 : null, 64);
        var id = store.CreateRun(RunStoreTests.Draft("big"));
        store.AppendMetrics(id, rows);
        Assert.Equal(100_000, store.Metrics(id).Count);
        var gni = store.Metrics(id, "gni");
        Assert.Equal(20_000, gni.Count);
        for (int k = 0; k < gni.Count; k += 997)
        {
            int i = k * names.Length + 4;
            Assert.Equal(rows[i].Step, gni[k].Step);
            Assert.Equal(Math.Sin(i), gni[k].Value);
            Assert.Equal(i % 3 == 0 ? 0.01 : (double?)null, gni[k].Se);
            Assert.Equal(64L, gni[k].Samples);
        }
    }
}
