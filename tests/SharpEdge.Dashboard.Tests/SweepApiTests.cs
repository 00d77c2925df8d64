using System.Text.Json;

namespace SharpEdge.Dashboard.Tests;

[Collection(DashboardCollection.Name)]
public sealed class SweepApiTests(DashboardFixture fixture)
{
    [Fact]
    public async Task Sweeps_list_their_progress_by_state()
    {
        var body = await fixture.GetJson("/api/sweeps");
        Assert.True(body.GetProperty("present").GetBoolean());
        var grid = body.GetProperty("sweeps").EnumerateArray().Single();
        Assert.Equal("grid", grid.GetProperty("name").GetString());
        Assert.Equal(10, grid.GetProperty("states").GetProperty("done").GetInt64());
        Assert.Equal(2, grid.GetProperty("states").GetProperty("pending").GetInt64());
        Assert.Equal(0, grid.GetProperty("states").GetProperty("failed").GetInt64());
    }

    [Fact]
    public async Task Sweep_detail_names_axes_observables_and_tasks()
    {
        var body = await fixture.GetJson("/api/sweeps/grid");
        var axes = body.GetProperty("axes");
        Assert.Equal(["0.01", "0.02", "0.05"], axes.GetProperty("lr").EnumerateArray().Select(v => v.GetString()));
        Assert.Equal(["1", "2"], axes.GetProperty("eps").EnumerateArray().Select(v => v.GetString()));
        Assert.Equal(["lambda_max"], body.GetProperty("observables").EnumerateArray().Select(v => v.GetString()));
        Assert.Equal(12, body.GetProperty("tasks").GetArrayLength());
    }

    [Fact]
    public async Task Heatmap_has_every_cell_with_the_median_over_seeds_of_each_plateau()
    {
        var map = await fixture.GetJson("/api/sweeps/grid/heatmap?x=lr&y=eps&observable=lambda_max");
        var cells = map.GetProperty("cells").EnumerateArray().ToList();
        Assert.Equal(FixtureStore.SweepLrs.Length * FixtureStore.SweepEps.Length, cells.Count);
        foreach (var cell in cells)
        {
            double lr = FixtureStore.SweepLrs[cell.GetProperty("x").GetInt32()], eps = FixtureStore.SweepEps[cell.GetProperty("y").GetInt32()];
            var runs = cell.GetProperty("runs").EnumerateArray().Select(r => r.GetInt64()).ToArray();
            Assert.Equal(fixture.Store.SweepRuns[(lr, eps)], runs);
            if (runs.Length == 0)
            {
                Assert.Equal(JsonValueKind.Null, cell.GetProperty("median").ValueKind);
                Assert.Equal(0, cell.GetProperty("done").GetInt32());
                Assert.Equal(2, cell.GetProperty("tasks").GetInt32());
                continue;
            }
            double expected = (FixtureStore.SweepValue(lr, eps, 0) + FixtureStore.SweepValue(lr, eps, 1)) / 2;
            Assert.Equal(expected, cell.GetProperty("median").GetDouble(), 9);
            Assert.Equal(2, cell.GetProperty("values").GetInt32());
        }
    }

    [Fact]
    public async Task Heatmap_over_an_unknown_axis_is_400()
    {
        using var response = await fixture.Http.GetAsync("/api/sweeps/grid/heatmap?x=lr&y=width&observable=lambda_max");
        Assert.Equal(System.Net.HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Contains("width", await response.Content.ReadAsStringAsync());
    }
}
