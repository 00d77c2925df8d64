using System.Text.Json;

namespace SharpEdge.Dashboard.Tests;

[Collection(DashboardCollection.Name)]
public sealed class MetricsApiTests(DashboardFixture fixture)
{
    private static JsonElement Series(JsonElement body, string name) =>
        body.GetProperty("series").EnumerateArray().Single(s => s.GetProperty("name").GetString() == name);

    [Theory]
    [InlineData(2000)]
    [InlineData(501)]
    [InlineData(4)]
    public async Task Long_series_is_thinned_to_at_most_the_points_asked_keeping_its_extremes(int points)
    {
        var body = await fixture.GetJson($"/api/runs/{fixture.Store.LongRun}/metrics?names=loss&points={points}");
        var loss = Series(body, "loss");
        var steps = loss.GetProperty("steps").EnumerateArray().Select(s => s.GetInt64()).ToArray();
        var values = loss.GetProperty("values").EnumerateArray().Select(v => v.GetDouble()).ToArray();
        Assert.InRange(steps.Length, points / 2, points);
        Assert.Equal(FixtureStore.LongSeries, loss.GetProperty("total").GetInt32());
        Assert.Equal(FixtureStore.LongSeries - 1, loss.GetProperty("last_step").GetInt64());
        Assert.True(steps.Zip(steps.Skip(1)).All(p => p.First < p.Second), "steps ascend");
        Assert.Equal(FixtureStore.SpikeValue, values.Max());
        Assert.Equal(FixtureStore.DipValue, values.Min());
        Assert.Equal(FixtureStore.SpikeStep, steps[Array.IndexOf(values, values.Max())]);
        Assert.Equal(FixtureStore.DipStep, steps[Array.IndexOf(values, values.Min())]);
    }

    [Fact]
    public async Task Short_series_come_whole_with_standard_errors()
    {
        var body = await fixture.GetJson($"/api/runs/{fixture.Store.LongRun}/metrics?points=2000");
        var lambda = Series(body, "lambda_max");
        Assert.Equal(100, lambda.GetProperty("steps").GetArrayLength());
        Assert.Equal(10 + 0.3 * 42, lambda.GetProperty("values")[42].GetDouble(), 12);
        Assert.All(lambda.GetProperty("se").EnumerateArray(), se => Assert.Equal(0.5, se.GetDouble()));
        Assert.Equal(JsonValueKind.Null, Series(body, "gni").GetProperty("se").ValueKind);
        Assert.Equal(["accuracy", "batch_sharpness", "gni", "lambda_max", "loss"],
            body.GetProperty("series").EnumerateArray().Select(s => s.GetProperty("name").GetString()).Order(StringComparer.Ordinal));
    }

    [Fact]
    public async Task A_step_range_is_thinned_on_its_own()
    {
        var body = await fixture.GetJson($"/api/runs/{fixture.Store.LongRun}/metrics?names=loss&points=100&from=61000&to=61999");
        var loss = Series(body, "loss");
        var steps = loss.GetProperty("steps").EnumerateArray().Select(s => s.GetInt64()).ToArray();
        Assert.Equal(1000, loss.GetProperty("total").GetInt32());
        Assert.All(steps, s => Assert.InRange(s, 61000, 61999));
        Assert.Contains(FixtureStore.SpikeStep, steps);
    }

    [Fact]
    public async Task NaN_values_of_a_diverged_run_are_null()
    {
        var body = await fixture.GetJson($"/api/runs/{fixture.Store.DivergedRun}/metrics");
        var values = Series(body, "loss").GetProperty("values");
        Assert.Equal(2.3, values[0].GetDouble());
        Assert.Equal(JsonValueKind.Null, values[1].ValueKind);
    }
}
