using System.Net;

namespace SharpEdge.Dashboard.Tests;

/// <summary>A server with a token over its own fixture store, shared by the token tests.</summary>
public sealed class TokenServerFixture : IAsyncLifetime
{
    public const string Token = "s3cret-token-for-tests";
    public FixtureStore Store { get; } = new();
    public DashboardServer Server { get; private set; } = null!;

    public async Task InitializeAsync() =>
        Server = await DashboardServer.StartAsync(new DashboardOptions { ResultsFolder = Store.Results, Port = 0, Token = Token });

    public async Task DisposeAsync()
    {
        await Server.DisposeAsync();
        Store.Dispose();
    }
}

public sealed class TokenTests(TokenServerFixture fixture) : IClassFixture<TokenServerFixture>, IDisposable
{
    private const string Token = TokenServerFixture.Token;
    private readonly FixtureStore store = fixture.Store;
    private readonly HttpClient http = new(new HttpClientHandler { UseCookies = false }) { BaseAddress = fixture.Server.Address };

    public void Dispose() => http.Dispose();

    [Theory]
    [InlineData("/")]
    [InlineData("/api/runs")]
    [InlineData("/api/runs/1")]
    [InlineData("/static/js/common.js")]
    [InlineData("/files/phase/0/figures/phase_diagram.png")]
    public async Task Requests_without_the_token_are_refused(string path)
    {
        using var response = await http.GetAsync(path);
        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
        using var wrong = await http.GetAsync(path + (path.Contains('?') ? "&" : "?") + "token=not-the-token");
        Assert.Equal(HttpStatusCode.Unauthorized, wrong.StatusCode);
    }

    [Fact]
    public async Task The_token_is_accepted_from_header_bearer_query_and_the_cookie_it_sets()
    {
        using (var request = new HttpRequestMessage(HttpMethod.Get, "/api/runs"))
        {
            request.Headers.Add("X-SharpEdge-Token", Token);
            Assert.Equal(HttpStatusCode.OK, (await http.SendAsync(request)).StatusCode);
        }
        using (var request = new HttpRequestMessage(HttpMethod.Get, "/api/runs"))
        {
            request.Headers.Authorization = new("Bearer", Token);
            Assert.Equal(HttpStatusCode.OK, (await http.SendAsync(request)).StatusCode);
        }
        using var page = await http.GetAsync($"/?token={Token}");
        Assert.Equal(HttpStatusCode.OK, page.StatusCode);
        var cookie = page.Headers.GetValues("Set-Cookie").Single();
        Assert.Contains("httponly", cookie, StringComparison.OrdinalIgnoreCase);
        Assert.Contains("samesite=strict", cookie, StringComparison.OrdinalIgnoreCase);
        using (var request = new HttpRequestMessage(HttpMethod.Get, "/api/runs"))
        {
            request.Headers.Add("Cookie", cookie.Split(';')[0]);
            Assert.Equal(HttpStatusCode.OK, (await http.SendAsync(request)).StatusCode);
        }
    }

    [Theory]
    [InlineData("0.0.0.0")]
    [InlineData("::")]
    [InlineData("192.0.2.1")]
    public void Listening_beyond_loopback_needs_a_token(string host)
    {
        var options = new DashboardOptions { ResultsFolder = store.Results, Host = host };
        var error = Assert.Throws<ArgumentException>(() => options.Validate());
        Assert.Contains("--token", error.Message);
        Assert.NotNull((options with { Token = Token }).Validate());
    }

    [Fact]
    public void Loopback_needs_no_token_and_bad_hosts_are_named()
    {
        Assert.NotNull(new DashboardOptions { ResultsFolder = store.Results }.Validate());
        Assert.NotNull(new DashboardOptions { ResultsFolder = store.Results, Host = "localhost" }.Validate());
        Assert.NotNull(new DashboardOptions { ResultsFolder = store.Results, Host = "::1" }.Validate());
        Assert.Contains("example.org", Assert.Throws<ArgumentException>(() => new DashboardOptions { ResultsFolder = store.Results, Host = "example.org" }.Validate()).Message);
    }

    [Fact]
    public async Task Without_a_token_only_loopback_host_names_are_answered()
    {
        await using var open = await DashboardServer.StartAsync(new DashboardOptions { ResultsFolder = store.Results, Port = 0 });
        using var client = new HttpClient { BaseAddress = open.Address };
        Assert.Equal(HttpStatusCode.OK, (await client.GetAsync("/api/status")).StatusCode);
        using var rebound = new HttpRequestMessage(HttpMethod.Get, "/api/status");
        rebound.Headers.Host = "attacker.example";
        Assert.Equal(HttpStatusCode.Forbidden, (await client.SendAsync(rebound)).StatusCode);
    }
}
