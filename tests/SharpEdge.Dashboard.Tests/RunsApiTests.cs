using System.Net;
using System.Text.Json;

namespace SharpEdge.Dashboard.Tests;

[Collection(DashboardCollection.Name)]
public sealed class RunsApiTests(DashboardFixture fixture)
{
    private static long[] Ids(JsonElement page) => page.GetProperty("rows").EnumerateArray().Select(r => r.GetProperty("id").GetInt64()).ToArray();

    [Fact]
    public async Task Runs_list_holds_every_fixture_run_newest_first()
    {
        var page = await fixture.GetJson("/api/runs?size=500");
        var ids = Ids(page);
        Assert.Equal(ids.Length, page.GetProperty("total").GetInt64());
        // other tests of the collection add runs of their own
        long[] fixtureRuns = [fixture.Store.LongRun, fixture.Store.LiveRun, fixture.Store.DivergedRun, fixture.Store.PhaseRun, .. fixture.Store.SweepRuns.Values.SelectMany(r => r)];
        Assert.Subset(ids.ToHashSet(), fixtureRuns.ToHashSet());
        Assert.Equal(ids.OrderDescending(), ids);
        var longRun = page.GetProperty("rows").EnumerateArray().Single(r => r.GetProperty("id").GetInt64() == fixture.Store.LongRun);
        Assert.Equal("eoss-long", longRun.GetProperty("name").GetString());
        Assert.Equal("mlp", longRun.GetProperty("model").GetString());
        Assert.Equal("fmnist-mini", longRun.GetProperty("dataset").GetString());
        Assert.Equal(FixtureStore.LongSeries - 1, longRun.GetProperty("steps").GetInt64());
        Assert.Equal(["baseline"], longRun.GetProperty("tags").EnumerateArray().Select(t => t.GetString()));
    }

    [Fact]
    public async Task Filters_combine_and_match_only_their_runs()
    {
        Assert.Equal([fixture.Store.LiveRun], Ids(await fixture.GetJson("/api/runs?status=running")));
        Assert.Equal([fixture.Store.LiveRun], Ids(await fixture.GetJson("/api/runs?dataset=cifar10")));
        Assert.Equal([fixture.Store.DivergedRun], Ids(await fixture.GetJson("/api/runs?model=mlp&tag=lr-sweep")));
        Assert.Equal([fixture.Store.DivergedRun, fixture.Store.LongRun], Ids(await fixture.GetJson("/api/runs?kind=train&model=mlp&dataset=fmnist-mini&q=eoss")));
        var sweep = Ids(await fixture.GetJson("/api/runs?sweep=grid&size=100"));
        Assert.Equal(fixture.Store.SweepRuns.Values.SelectMany(r => r).Order(), sweep.Order());
        Assert.Empty(Ids(await fixture.GetJson("/api/runs?sweep=no-such-sweep")));
    }

    [Fact]
    public async Task Sorting_and_pages_split_the_same_order()
    {
        var all = Ids(await fixture.GetJson("/api/runs?sort=name&order=asc&size=500"));
        var names = (await fixture.GetJson("/api/runs?sort=name&order=asc&size=500")).GetProperty("rows").EnumerateArray()
            .Select(r => r.GetProperty("name").GetString()!).ToList();
        Assert.Equal(names.Order(StringComparer.Ordinal), names);
        var paged = new List<long>();
        for (int page = 1; page <= (all.Length + 3) / 4; page++)
            paged.AddRange(Ids(await fixture.GetJson($"/api/runs?sort=name&order=asc&size=4&page={page}")));
        Assert.Equal(all, paged);
    }

    [Fact]
    public async Task Bad_query_values_are_400_with_a_message()
    {
        foreach (var query in new[] { "sort=config", "order=up", "page=0", "size=100000", "size=x" })
        {
            using var response = await fixture.Http.GetAsync($"/api/runs?{query}");
            Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
            Assert.Contains("error", await response.Content.ReadAsStringAsync());
        }
    }

    [Fact]
    public async Task Facets_count_runs_per_value()
    {
        var facets = await fixture.GetJson("/api/runs/facets");
        var status = facets.GetProperty("status").EnumerateArray().ToDictionary(f => f.GetProperty("value").GetString()!, f => f.GetProperty("count").GetInt64());
        Assert.Equal(1, status["running"]);
        Assert.Equal(1, status["diverged"]);
        var datasets = facets.GetProperty("dataset").EnumerateArray().Select(f => f.GetProperty("value").GetString()).ToList();
        Assert.Equal(["cifar10", "fmnist-mini"], datasets);
        Assert.Equal("grid", facets.GetProperty("sweep")[0].GetProperty("value").GetString());
    }

    [Fact]
    public async Task Run_detail_has_config_threshold_metric_summary_and_files()
    {
        var run = await fixture.GetJson($"/api/runs/{fixture.Store.LongRun}");
        Assert.Equal("eoss-long", run.GetProperty("name").GetString());
        Assert.Equal(0.05, run.GetProperty("lr").GetDouble());
        Assert.Equal(40.0, run.GetProperty("threshold").GetDouble(), 12);
        var metrics = run.GetProperty("metrics").EnumerateArray().ToDictionary(m => m.GetProperty("name").GetString()!);
        Assert.Equal(FixtureStore.LongSeries, metrics["loss"].GetProperty("points").GetInt64());
        Assert.Equal(0.5, metrics["lambda_max"].GetProperty("last_se").GetDouble());
        // the link that points outside the results folder is not offered
        Assert.Equal(["results.txt"], run.GetProperty("files").EnumerateArray().Select(f => f.GetString()));
    }
}
