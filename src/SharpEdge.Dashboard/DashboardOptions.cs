using System.Net;

namespace SharpEdge.Dashboard;

/// <summary>
/// What <c>sharpedge serve</c> serves and where it listens. Loopback by default; any other address needs a
/// <see cref="Token"/>, because the pages show configurations, paths and host names of every run.
/// </summary>
public sealed record DashboardOptions
{
    public const int DefaultPort = 8765;
    public const string DefaultHost = "127.0.0.1";

    /// <summary>The results folder holding <c>runs.db</c> and the run folders.</summary>
    public required string ResultsFolder { get; init; }
    public string Host { get; init; } = DefaultHost;
    /// <summary>TCP port; 0 picks a free one (tests).</summary>
    public int Port { get; init; } = DefaultPort;
    /// <summary>When set, every request must carry it (header, query or the cookie the first page sets).</summary>
    public string? Token { get; init; }
    /// <summary>Folders written by <c>phase sweep</c>/<c>phase analyze</c> to show besides those the store names.</summary>
    public IReadOnlyList<string> PhaseFolders { get; init; } = [];
    /// <summary>How often a live stream looks for new rows in the store.</summary>
    public TimeSpan PollInterval { get; init; } = TimeSpan.FromMilliseconds(500);

    /// <summary>The address to bind, or an error naming what is wrong with the options.</summary>
    public IPAddress Validate()
    {
        if (Port is < 0 or > 65535) throw new ArgumentException($"--port: {Port} is not a TCP port (0–65535)");
        if (PollInterval <= TimeSpan.Zero) throw new ArgumentException("the poll interval must be positive");
        if (Token is not null && (Token.Length < 8 || Token.Any(char.IsWhiteSpace)))
            throw new ArgumentException("--token: use at least 8 characters and no spaces");
        IPAddress address = Host.Trim().ToLowerInvariant() switch
        {
            "localhost" => IPAddress.Loopback,
            var h when IPAddress.TryParse(h.Trim('[', ']'), out var parsed) => parsed,
            _ => throw new ArgumentException($"--host: '{Host}' is not an IP address (e.g. 127.0.0.1, ::1, 0.0.0.0) or localhost"),
        };
        if (!IPAddress.IsLoopback(address) && Token is null)
            throw new ArgumentException($"--host {Host} is reachable from other machines: give --token T as well (every request must then carry it)");
        return address;
    }
}
