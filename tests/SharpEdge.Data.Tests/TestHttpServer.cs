using System.Collections.Concurrent;
using System.Net;
using System.Net.Sockets;
using System.Text;

namespace SharpEdge.Data.Tests;

/// <summary>
/// A tiny HTTP/1.1 server on 127.0.0.1 (one request per connection) serving in-memory files, with the faults
/// the downloader must survive: <see cref="Route.DropAfter"/> (send part of the body, then close the
/// connection), <see cref="Route.Unavailable"/> (answer 503 a number of times), byte ranges as 206.
/// </summary>
public sealed class TestHttpServer : IDisposable
{
    public sealed class Route(byte[] content)
    {
        public byte[] Content { get; } = content;
        /// <summary>Close the connection after this many body bytes, once.</summary>
        public int? DropAfter { get; set; }
        /// <summary>Answer 503 to this many requests first.</summary>
        public int Unavailable { get; set; }
    }

    private readonly TcpListener _listener = new(IPAddress.Loopback, 0);
    private readonly CancellationTokenSource _stop = new();
    private readonly ConcurrentDictionary<string, Route> _routes = new();
    private readonly Task _loop;

    public TestHttpServer()
    {
        _listener.Start();
        _loop = Task.Run(Serve);
    }

    /// <summary>Each request as "path range-header-or-dash".</summary>
    public ConcurrentQueue<string> Requests { get; } = new();

    public string Url(string path) => $"http://127.0.0.1:{((IPEndPoint)_listener.LocalEndpoint).Port}/{path}";

    public Route Serve(string path, byte[] content) => _routes[path] = new Route(content);

    private async Task Serve()
    {
        while (!_stop.IsCancellationRequested)
        {
            TcpClient client;
            try { client = await _listener.AcceptTcpClientAsync(_stop.Token); }
            catch (OperationCanceledException) { return; }
            catch (ObjectDisposedException) { return; }
            _ = Task.Run(() => Handle(client));
        }
    }

    private async Task Handle(TcpClient client)
    {
        using (client)
        {
            try
            {
                var stream = client.GetStream();
                var reader = new StreamReader(stream, Encoding.ASCII, false, 1024, leaveOpen: true);
                var requestLine = await reader.ReadLineAsync() ?? "";
                string? range = null;
                for (string? line; !string.IsNullOrEmpty(line = await reader.ReadLineAsync());)
                    if (line.StartsWith("Range:", StringComparison.OrdinalIgnoreCase)) range = line[6..].Trim();
                var path = requestLine.Split(' ') is [_, var target, ..] ? target.TrimStart('/') : "";
                Requests.Enqueue($"{path} {range ?? "-"}");
                if (!_routes.TryGetValue(path, out var route))
                {
                    await Write(stream, "404 Not Found", [], 0);
                    return;
                }
                if (route.Unavailable > 0)
                {
                    route.Unavailable--;
                    await Write(stream, "503 Service Unavailable", [], 0);
                    return;
                }
                long from = range is not null && range.StartsWith("bytes=") ? long.Parse(range[6..].TrimEnd('-').Split('-')[0]) : 0;
                var body = route.Content.AsMemory((int)from);
                var headers = from > 0 ? new[] { $"Content-Range: bytes {from}-{route.Content.Length - 1}/{route.Content.Length}" } : [];
                int send = body.Length;
                if (route.DropAfter is { } drop)
                {
                    route.DropAfter = null;
                    send = Math.Min(drop, send);
                }
                await Write(stream, from > 0 ? "206 Partial Content" : "200 OK", headers, body.Length, body[..send]);
            }
            catch (IOException) { }
        }
    }

    private static async Task Write(NetworkStream stream, string status, string[] headers, long length, ReadOnlyMemory<byte> body = default)
    {
        var head = new StringBuilder($"HTTP/1.1 {status}\r\nContent-Length: {length}\r\nConnection: close\r\n");
        foreach (var h in headers) head.Append(h).Append("\r\n");
        head.Append("\r\n");
        await stream.WriteAsync(Encoding.ASCII.GetBytes(head.ToString()));
        await stream.WriteAsync(body);
        await stream.FlushAsync();
    }

    public void Dispose()
    {
        _stop.Cancel();
        _listener.Stop();
        try { _loop.Wait(TimeSpan.FromSeconds(2)); } catch (AggregateException) { }
    }
}
