using System.Text.Json;
using SharpEdge.Runs;

namespace SharpEdge.Dashboard.Tests;

[Collection(DashboardCollection.Name)]
public sealed class LiveStreamTests(DashboardFixture fixture)
{
    /// <summary>Reads server-sent events until one named <paramref name="name"/> satisfies the predicate.</summary>
    private static async Task<JsonElement> NextEvent(StreamReader reader, string name, Func<JsonElement, bool> wanted, CancellationToken cancel)
    {
        string? eventName = null;
        while (await reader.ReadLineAsync(cancel) is { } line)
        {
            if (line.StartsWith("event: ", StringComparison.Ordinal)) eventName = line[7..];
            else if (line.StartsWith("data: ", StringComparison.Ordinal) && eventName == name)
            {
                var data = JsonDocument.Parse(line[6..]).RootElement.Clone();
                if (wanted(data)) return data;
            }
        }
        throw new EndOfStreamException($"the stream ended before a '{name}' event");
    }

    [Fact]
    public async Task Rows_appended_to_the_store_are_pushed_with_the_status()
    {
        using var writer = fixture.Store.OpenWriter();
        var run = writer.CreateRun(new RunRecord { Name = "streamed", Kind = "train", Config = new() { ["lr"] = 0.1 } });
        writer.AppendMetrics(run, Enumerable.Range(0, 10).Select(i => new MetricRow(i, null, "loss", i)));
        using var cancel = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        using var response = await fixture.Http.GetAsync($"/api/runs/{run}/events?cursor=loss:9", HttpCompletionOption.ResponseHeadersRead, cancel.Token);
        Assert.Equal("text/event-stream", response.Content.Headers.ContentType?.MediaType);
        using var reader = new StreamReader(await response.Content.ReadAsStreamAsync(cancel.Token));

        var status = await NextEvent(reader, "status", _ => true, cancel.Token);
        Assert.Equal("running", status.GetProperty("status").GetString());

        writer.AppendMetrics(run, [new MetricRow(10, null, "loss", 0.5), new MetricRow(11, null, "loss", 0.25), new MetricRow(10, null, "lambda_max", 7, 0.1, 8)]);
        var rows = await NextEvent(reader, "metrics", d => d.TryGetProperty("lambda_max", out _), cancel.Token);
        // only rows after the page's cursor (loss:9); a metric the page did not have comes whole
        Assert.Equal([10L, 11L], rows.GetProperty("loss").GetProperty("steps").EnumerateArray().Select(s => s.GetInt64()));
        Assert.Equal([0.5, 0.25], rows.GetProperty("loss").GetProperty("values").EnumerateArray().Select(s => s.GetDouble()));
        Assert.Equal(0.1, rows.GetProperty("lambda_max").GetProperty("se")[0].GetDouble());

        writer.Finish(run, RunStatus.Finished, 1.5);
        var finished = await NextEvent(reader, "status", d => d.GetProperty("status").GetString() != "running", cancel.Token);
        Assert.Equal("finished", finished.GetProperty("status").GetString());
        Assert.Equal(1.5, finished.GetProperty("seconds").GetDouble());
    }

    [Fact]
    public async Task Deleted_rows_tell_the_page_to_reload()
    {
        using var writer = fixture.Store.OpenWriter();
        var run = writer.CreateRun(new RunRecord { Name = "resumed", Kind = "train" });
        writer.AppendMetrics(run, Enumerable.Range(0, 20).Select(i => new MetricRow(i, null, "loss", i)));
        using var cancel = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        using var response = await fixture.Http.GetAsync($"/api/runs/{run}/events?cursor=loss:19", HttpCompletionOption.ResponseHeadersRead, cancel.Token);
        using var reader = new StreamReader(await response.Content.ReadAsStreamAsync(cancel.Token));
        await NextEvent(reader, "status", _ => true, cancel.Token);
        writer.DeleteMetricsFrom(run, 15); // what a resume from the checkpoint at step 15 does
        await NextEvent(reader, "reset", _ => true, cancel.Token);
    }

    [Fact]
    public async Task A_malformed_cursor_is_400()
    {
        using var response = await fixture.Http.GetAsync($"/api/runs/{fixture.Store.LiveRun}/events?cursor=loss");
        Assert.Equal(System.Net.HttpStatusCode.BadRequest, response.StatusCode);
    }
}
