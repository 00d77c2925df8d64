using System.Collections.Concurrent;
using System.Net.WebSockets;
using System.Text;
using System.Text.Json.Nodes;

namespace SharpEdge.Dashboard.Browser;

/// <summary>
/// The DevTools protocol's transport: numbered JSON commands on a WebSocket, each answered by a message with the
/// same id (events, which carry no id, are ignored). Sends are serialised; one loop reads every answer.
/// </summary>
public sealed class DevToolsConnection : IAsyncDisposable
{
    private readonly ClientWebSocket socket = new();
    private readonly SemaphoreSlim sending = new(1, 1);
    private readonly ConcurrentDictionary<int, TaskCompletionSource<JsonObject>> pending = new();
    private readonly CancellationTokenSource closing = new();
    private Task? reading;
    private int nextId;

    public static async Task<DevToolsConnection> ConnectAsync(Uri endpoint, CancellationToken cancel)
    {
        var connection = new DevToolsConnection();
        connection.socket.Options.KeepAliveInterval = TimeSpan.Zero;
        await connection.socket.ConnectAsync(endpoint, cancel);
        connection.reading = connection.ReadLoop();
        return connection;
    }

    /// <summary>Sends a command (to a page when <paramref name="session"/> is given) and returns its result.</summary>
    public async Task<JsonObject> SendAsync(string method, JsonObject parameters, string? session, CancellationToken cancel)
    {
        int id = Interlocked.Increment(ref nextId);
        var answer = new TaskCompletionSource<JsonObject>(TaskCreationOptions.RunContinuationsAsynchronously);
        pending[id] = answer;
        var message = new JsonObject { ["id"] = id, ["method"] = method, ["params"] = parameters };
        if (session is not null) message["sessionId"] = session;
        byte[] bytes = Encoding.UTF8.GetBytes(message.ToJsonString());
        await sending.WaitAsync(cancel);
        try
        {
            await socket.SendAsync(bytes, WebSocketMessageType.Text, endOfMessage: true, cancel);
        }
        finally
        {
            sending.Release();
        }
        using var registration = cancel.Register(() => answer.TrySetCanceled(cancel));
        var reply = await answer.Task;
        if (reply["error"] is { } error) throw new InvalidOperationException($"{method}: {error["message"]}");
        return reply["result"] as JsonObject ?? new JsonObject();
    }

    private async Task ReadLoop()
    {
        var buffer = new byte[1 << 16];
        var message = new MemoryStream();
        try
        {
            while (socket.State == WebSocketState.Open)
            {
                var received = await socket.ReceiveAsync(buffer, closing.Token);
                if (received.MessageType == WebSocketMessageType.Close) break;
                message.Write(buffer, 0, received.Count);
                if (!received.EndOfMessage) continue;
                var json = JsonNode.Parse(message.ToArray()) as JsonObject;
                message.SetLength(0);
                if (json?["id"] is { } idNode && pending.TryRemove(idNode.GetValue<int>(), out var answer)) answer.TrySetResult(json);
            }
        }
        catch (Exception e) when (e is WebSocketException or OperationCanceledException or System.Text.Json.JsonException)
        {
        }
        foreach (var answer in pending.Values) answer.TrySetException(new InvalidOperationException("the browser closed the DevTools connection"));
    }

    public async ValueTask DisposeAsync()
    {
        closing.Cancel();
        if (reading is not null)
            try { await reading; }
            catch (OperationCanceledException) { }
        socket.Dispose();
        sending.Dispose();
        closing.Dispose();
    }
}
