using System.Diagnostics;
using Microsoft.Data.Sqlite;
using SharpEdge.Tests;

namespace SharpEdge.Runs.Tests;

public sealed class ConcurrencyTests : IDisposable
{
    private readonly TempFolder temp = new();

    public void Dispose() => temp.Dispose();

    private static MetricRow[] Batch(string name, int first, int count) =>
        Enumerable.Range(first, count).Select(s => new MetricRow(s, s / 100.0, name, s * 0.5)).ToArray();

    [Fact]
    public async Task ReaderIsNotBlockedByAnOpenWriteAndSeesOnlyCommittedRows()
    {
        using var writerStore = RunStore.Open(temp.Path);
        using var reader = RunStore.Open(temp.Path, readOnly: true);
        long id = writerStore.CreateRun(new RunRecord { Name = "a", Kind = "train" });

        // Another process holds the write lock with an uncommitted run.
        using var raw = new SqliteConnection($"Data Source={writerStore.DatabasePath};Pooling=False");
        raw.Open();
        var transaction = raw.BeginTransaction(deferred: false);
        using (var insert = raw.CreateCommand())
        {
            insert.Transaction = transaction;
            insert.CommandText = "INSERT INTO runs (name, kind, status, created) VALUES ('hidden', 'train', 'running', '2026-01-01T00:00:00.000Z')";
            insert.ExecuteNonQuery();
        }

        var clock = Stopwatch.StartNew();
        Assert.Equal(["a"], reader.ListRuns().Select(r => r.Name));
        Assert.True(clock.Elapsed < TimeSpan.FromSeconds(1), $"read waited {clock.ElapsedMilliseconds} ms for the writer");

        // A second writer waits for the lock instead of failing, then goes through.
        var second = Task.Run(() => writerStore.AppendMetrics(id, Batch("loss", 0, 10)));
        await Task.Delay(300);
        Assert.False(second.IsCompleted);
        transaction.Commit();
        Assert.Equal(10, await second.WaitAsync(TimeSpan.FromSeconds(10)));
        Assert.Equal(["a", "hidden"], reader.ListRuns().Select(r => r.Name));
        Assert.Equal(10, reader.Metrics(id).Count);
    }

    [Fact]
    public async Task ConcurrentReaderSeesWholeTransactionsOnly()
    {
        const int batches = 30, size = 1000;
        using var writer = RunStore.Open(temp.Path);
        long id = writer.CreateRun(new RunRecord { Name = "stream", Kind = "train" });
        using var reader = RunStore.Open(temp.Path, readOnly: true);
        var writing = Task.Run(() =>
        {
            for (int b = 0; b < batches; b++) writer.AppendMetrics(id, Batch("loss", b * size, size));
        });
        var seen = new List<int>();
        while (!writing.IsCompleted) seen.Add(reader.Metrics(id, "loss").Count);
        await writing;
        seen.Add(reader.Metrics(id, "loss").Count);
        Assert.All(seen, count => Assert.Equal(0, count % size));
        Assert.Equal(seen.Order(), seen); // never goes back
        Assert.Equal(batches * size, seen[^1]);
    }

    [Fact]
    public async Task TwoConnectionsAppendingConcurrentlyLoseNothing()
    {
        const int batches = 40, size = 500;
        using var first = RunStore.Open(temp.Path);
        using var second = RunStore.Open(temp.Path);
        long a = first.CreateRun(new RunRecord { Name = "a", Kind = "phase" });
        long b = second.CreateRun(new RunRecord { Name = "b", Kind = "phase" });
        var tasks = new[]
        {
            Task.Run(() => { for (int i = 0; i < batches; i++) { first.AppendMetrics(a, Batch("loss", i * size, size)); first.AppendMetrics(b, Batch("from_first", i * size, size)); } }),
            Task.Run(() => { for (int i = 0; i < batches; i++) { second.AppendMetrics(b, Batch("loss", i * size, size)); second.UpdateStatus(a, RunStatus.Running); } }),
        };
        await Task.WhenAll(tasks).WaitAsync(TimeSpan.FromSeconds(30));
        Assert.Equal(batches * size, first.Metrics(a).Count);
        Assert.Equal(batches * size, second.Metrics(b, "loss").Count);
        Assert.Equal(batches * size, second.Metrics(b, "from_first").Count);
    }
}
