using System.Net;
using SharpEdge.Runs;

namespace SharpEdge.Dashboard.Tests;

[Collection(DashboardCollection.Name)]
public sealed class SafetyTests(DashboardFixture fixture)
{
    [Theory]
    [InlineData("/api/runs/abc")]
    [InlineData("/api/runs/999999")]
    [InlineData("/api/runs/-1")]
    [InlineData("/api/runs/1e3")]
    [InlineData("/api/runs/99999999999999999999999")]
    [InlineData("/api/runs/999999/metrics")]
    [InlineData("/api/runs/999999/events")]
    [InlineData("/api/sweeps/no-such-sweep")]
    [InlineData("/api/sweeps/no-such-sweep/heatmap?x=lr&y=eps&observable=lambda_max")]
    [InlineData("/api/nothing-here")]
    public async Task Bad_ids_in_the_api_are_404_json(string path)
    {
        using var response = await fixture.Http.GetAsync(path);
        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
        Assert.Equal("application/json", response.Content.Headers.ContentType?.MediaType);
    }

    [Theory]
    [InlineData("/runs/abc")]
    [InlineData("/runs/999999")]
    [InlineData("/runs/eoss-long")] // names are not ids
    [InlineData("/sweeps/no-such-sweep")]
    [InlineData("/no/such/page")]
    [InlineData("/static/nothing.js")]
    public async Task Bad_ids_in_pages_are_the_404_page(string path)
    {
        using var response = await fixture.Http.GetAsync(path);
        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
        Assert.Contains("404", await response.Content.ReadAsStringAsync());
    }

    [Fact]
    public async Task Good_ids_give_their_pages()
    {
        foreach (var path in new[] { "/", $"/runs/{fixture.Store.LongRun}", "/compare?ids=1,2", "/sweeps", "/sweeps/grid", "/phase" })
        {
            using var response = await fixture.Http.GetAsync(path);
            Assert.True(response.StatusCode == HttpStatusCode.OK, path);
            Assert.Equal("text/html", response.Content.Headers.ContentType?.MediaType);
            // every page carries the shared navigation bar in place of its marker
            var html = await response.Content.ReadAsStringAsync();
            Assert.Contains("<a href=\"/phase\" data-nav=\"phase\">Phase analysis</a>", html);
            Assert.DoesNotContain("partials/header.html", html);
        }
        // the partial itself is not served
        using var partial = await fixture.Http.GetAsync("/static/partials/header.html");
        Assert.Equal(HttpStatusCode.NotFound, partial.StatusCode);
    }

    [Theory]
    [InlineData("/files/runs/{run}/..%2F..%2Fruns.db")]
    [InlineData("/files/runs/{run}/..%2F..%2F..%2Fsecret.txt")]
    [InlineData("/files/runs/{run}/%2E%2E")]
    [InlineData("/files/runs/{run}/escape.txt")] // a link inside the run folder that points outside
    [InlineData("/files/runs/{run}/.hidden")]
    [InlineData("/files/runs/{run}/..\\..\\runs.db")]
    [InlineData("/files/phase/0/figures/..%2F..%2F..%2Fsecret.txt")]
    [InlineData("/files/phase/0/..%2Fphase1/cells.csv")]
    [InlineData("/files/phase/0/cells/lr_1_eps_1")]
    [InlineData("/files/phase/1/figures/outside.png")] // a phase folder of the store outside the results folder
    [InlineData("/files/phase/-1/figures/phase_diagram.png")]
    [InlineData("/files/phase/99/figures/phase_diagram.png")]
    public async Task Path_traversal_is_refused(string template)
    {
        var path = template.Replace("{run}", fixture.Store.LongRun.ToString(System.Globalization.CultureInfo.InvariantCulture));
        using var response = await fixture.Http.GetAsync(path);
        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
        var body = await response.Content.ReadAsStringAsync();
        Assert.DoesNotContain("outside the results folder", body);
        Assert.DoesNotContain("SQLite format", body);
    }

    [Fact]
    public async Task Files_inside_the_results_folder_are_served()
    {
        var text = await fixture.Http.GetStringAsync($"/files/runs/{fixture.Store.LongRun}/results.txt");
        Assert.StartsWith("step loss", text);
        var png = await fixture.Http.GetByteArrayAsync("/files/phase/0/figures/phase_diagram.png");
        Assert.Equal(FixtureStore.TinyPng, png);
        var csv = await fixture.Http.GetStringAsync("/files/phase/0/analysis/cells.csv");
        Assert.StartsWith("lr,eps,test_loss", csv);
    }

    [Fact]
    public async Task Phase_folders_list_figures_and_tables_and_mark_outside_ones_unserved()
    {
        var body = await fixture.GetJson("/api/phase");
        var folders = body.GetProperty("folders").EnumerateArray().ToList();
        Assert.Equal(2, folders.Count);
        Assert.Equal(fixture.Store.OutsidePhaseFolder, folders[1].GetProperty("path").GetString());
        Assert.False(folders[1].GetProperty("served").GetBoolean());
        Assert.Empty(folders[1].GetProperty("figures").EnumerateArray());
        Assert.True(folders[0].GetProperty("served").GetBoolean());
        Assert.Equal(["phase_diagram.png"], folders[0].GetProperty("figures").EnumerateArray().Select(f => f.GetString()));
        Assert.Equal(["cells.csv"], folders[0].GetProperty("tables").EnumerateArray().Select(f => f.GetString()));
    }

    [Fact]
    public async Task Reading_never_blocks_a_writer()
    {
        // a writer with no busy timeout at all fails at once if any reader held a lock it needs
        using var writer = fixture.Store.OpenWriter();
        var scratch = writer.CreateRun(new RunRecord { Name = "scratch", Kind = "train", Status = RunStatus.Finished });
        var reads = Enumerable.Range(0, 8).Select(_ => fixture.Http.GetStringAsync($"/api/runs/{fixture.Store.LongRun}/metrics?points=2000")).ToList();
        for (int i = 0; i < 50; i++) writer.AppendMetrics(scratch, Enumerable.Range(0, 200).Select(k => new MetricRow(i * 200 + k, null, "loss", k)));
        await Task.WhenAll(reads);
        Assert.Equal(10_000, writer.Metrics(scratch, "loss").Count);
    }
}
