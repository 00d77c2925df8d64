using System.Net;
using System.Text.Json;

namespace SharpEdge.Dashboard.Tests;

/// <summary><c>serve --results DIR</c> with a folder that does not exist yet: the server starts and reports no store.</summary>
public sealed class MissingResultsFolderTests
{
    [Fact]
    public async Task Serves_a_results_folder_that_does_not_exist_yet()
    {
        var folder = Path.Combine(Path.GetTempPath(), "sharpedge-missing-" + Guid.NewGuid().ToString("N"), "results");
        await using var server = await DashboardServer.StartAsync(new DashboardOptions { ResultsFolder = folder, Port = 0 });
        using var http = new HttpClient { BaseAddress = server.Address };
        using var response = await http.GetAsync("/api/status");
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        using var status = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        Assert.False(status.RootElement.GetProperty("store").GetBoolean());
        Assert.Equal(0, status.RootElement.GetProperty("runs").GetInt64());
        using var page = await http.GetAsync("/");
        Assert.Equal(HttpStatusCode.OK, page.StatusCode);
    }
}
