using System.Text.Json;

namespace SharpEdge.Dashboard.Tests;

/// <summary>One fixture store and one server on 127.0.0.1 (a free port) shared by the tests of a collection.</summary>
public sealed class DashboardFixture : IAsyncLifetime
{
    public FixtureStore Store { get; } = new();
    public DashboardServer Server { get; private set; } = null!;
    public HttpClient Http { get; private set; } = null!;

    public async Task InitializeAsync()
    {
        Server = await DashboardServer.StartAsync(new DashboardOptions
        {
            ResultsFolder = Store.Results, Port = 0, PollInterval = TimeSpan.FromMilliseconds(200),
        });
        Http = new HttpClient { BaseAddress = Server.Address, Timeout = TimeSpan.FromSeconds(60) };
    }

    public async Task DisposeAsync()
    {
        Http.Dispose();
        await Server.DisposeAsync();
        Store.Dispose();
    }

    public async Task<JsonElement> GetJson(string path)
    {
        using var response = await Http.GetAsync(path);
        string text = await response.Content.ReadAsStringAsync();
        Assert.True(response.IsSuccessStatusCode, $"{path}: {(int)response.StatusCode} {text}");
        return JsonDocument.Parse(text).RootElement.Clone();
    }
}

[CollectionDefinition(Name)]
public sealed class DashboardCollection : ICollectionFixture<DashboardFixture>
{
    public const string Name = "dashboard";
}
