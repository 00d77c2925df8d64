using System.Diagnostics;
using System.Net.WebSockets;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using SharpEdge.Runs;

namespace SharpEdge.Dashboard.Browser;

/// <summary>
/// Debian's headless Chromium driven over the DevTools protocol (JSON messages on one WebSocket), enough to open
/// pages, evaluate script in them and take screenshots: what the browser tests and <c>bench serve</c> need,
/// without a Playwright download. Pages share the browser through flattened target sessions.
/// </summary>
public sealed class HeadlessChromium : IAsyncDisposable
{
    public const string ExecutableVariable = "SHARPEDGE_CHROMIUM";

    private readonly Process process;
    private readonly string profile;
    private readonly DevToolsConnection connection;

    private HeadlessChromium(Process process, string profile, DevToolsConnection connection)
    {
        this.process = process;
        this.profile = profile;
        this.connection = connection;
    }

    /// <summary>$SHARPEDGE_CHROMIUM, else the first of chromium, chromium-headless-shell, google-chrome on PATH; null if none.</summary>
    public static string? FindExecutable()
    {
        if (Environment.GetEnvironmentVariable(ExecutableVariable) is { Length: > 0 } chosen) return File.Exists(chosen) ? chosen : null;
        return new[] { "chromium", "chromium-headless-shell", "google-chrome" }.Select(ProgramPath.Find).FirstOrDefault(found => found is not null);
    }

    public static async Task<HeadlessChromium> LaunchAsync(string executable, CancellationToken cancel = default)
    {
        string profile = Path.Combine(Path.GetTempPath(), "sharpedge-chromium-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(profile);
        var start = new ProcessStartInfo(executable)
        {
            RedirectStandardError = true, RedirectStandardOutput = true, UseShellExecute = false,
        };
        foreach (var arg in new[]
                 {
                     "--headless", "--disable-gpu", "--disable-dev-shm-usage", "--no-first-run", "--no-default-browser-check",
                     "--disable-extensions", "--disable-background-networking", "--disable-sync", "--disable-component-update",
                     "--mute-audio", "--hide-scrollbars", "--remote-debugging-port=0", "--remote-debugging-address=127.0.0.1",
                     $"--user-data-dir={profile}", "--window-size=1400,1000", "about:blank",
                 })
            start.ArgumentList.Add(arg);
        // Chromium's sandbox refuses to run as root (containers, CI)
        if (Environment.IsPrivilegedProcess) start.ArgumentList.Insert(0, "--no-sandbox");
        var process = Process.Start(start) ?? throw new InvalidOperationException($"{executable} did not start");
        try
        {
            _ = process.StandardOutput.ReadToEndAsync(cancel);
            using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancel);
            timeout.CancelAfter(TimeSpan.FromSeconds(60));
            string? endpoint = null;
            while (endpoint is null && await process.StandardError.ReadLineAsync(timeout.Token) is { } line)
                if (line.StartsWith("DevTools listening on ", StringComparison.Ordinal)) endpoint = line["DevTools listening on ".Length..].Trim();
            if (endpoint is null) throw new InvalidOperationException($"{executable} exited without a DevTools endpoint");
            _ = DrainAsync(process.StandardError);
            var connection = await DevToolsConnection.ConnectAsync(new Uri(endpoint), cancel);
            return new HeadlessChromium(process, profile, connection);
        }
        catch
        {
            Kill(process);
            throw;
        }
    }

    /// <summary>A new tab of the given size (CSS pixels).</summary>
    public async Task<BrowserPage> NewPageAsync(int width = 1400, int height = 1000, CancellationToken cancel = default)
    {
        var created = await connection.SendAsync("Target.createTarget", new JsonObject { ["url"] = "about:blank" }, null, cancel);
        string target = created["targetId"]!.GetValue<string>();
        var attached = await connection.SendAsync("Target.attachToTarget", new JsonObject { ["targetId"] = target, ["flatten"] = true }, null, cancel);
        var page = new BrowserPage(connection, target, attached["sessionId"]!.GetValue<string>());
        await page.SetViewportAsync(width, height, cancel);
        return page;
    }

    public async ValueTask DisposeAsync()
    {
        try
        {
            using var quick = new CancellationTokenSource(TimeSpan.FromSeconds(5));
            await connection.SendAsync("Browser.close", new JsonObject(), null, quick.Token);
        }
        catch (Exception e) when (e is OperationCanceledException or WebSocketException or InvalidOperationException or IOException)
        {
        }
        await connection.DisposeAsync();
        if (!process.WaitForExit(5000)) Kill(process);
        process.Dispose();
        try { Directory.Delete(profile, recursive: true); }
        catch (IOException) { }
        catch (UnauthorizedAccessException) { }
    }

    private static void Kill(Process process)
    {
        try { process.Kill(entireProcessTree: true); }
        catch (InvalidOperationException) { }
    }

    private static async Task DrainAsync(StreamReader reader)
    {
        try { while (await reader.ReadLineAsync() is not null) { } }
        catch (IOException) { }
        catch (ObjectDisposedException) { }
    }
}

/// <summary>One tab: navigation, script evaluation, waiting for a condition, screenshots.</summary>
public sealed class BrowserPage(DevToolsConnection connection, string target, string session)
{
    public async Task NavigateAsync(Uri url, CancellationToken cancel = default)
    {
        var result = await connection.SendAsync("Page.navigate", new JsonObject { ["url"] = url.ToString() }, session, cancel);
        if (result["errorText"] is { } error) throw new InvalidOperationException($"{url}: {error}");
    }

    /// <summary>The value of a JavaScript expression (promises awaited), as JSON.</summary>
    public async Task<JsonElement> EvaluateAsync(string expression, CancellationToken cancel = default)
    {
        var result = await connection.SendAsync("Runtime.evaluate",
            new JsonObject { ["expression"] = expression, ["awaitPromise"] = true, ["returnByValue"] = true }, session, cancel);
        if (result["exceptionDetails"] is { } details)
            throw new InvalidOperationException($"script failed: {details["exception"]?["description"] ?? details["text"]}");
        var value = result["result"]?["value"];
        return JsonSerializer.SerializeToElement(value);
    }

    /// <summary>Evaluates the expression every 25 ms until it is truthy; returns its value. A page that is still
    /// loading (no document yet) counts as not yet.</summary>
    public async Task<JsonElement> WaitForAsync(string expression, TimeSpan timeout, CancellationToken cancel = default)
    {
        var clock = Stopwatch.StartNew();
        while (true)
        {
            cancel.ThrowIfCancellationRequested();
            JsonElement value = default;
            try
            {
                value = await EvaluateAsync($"(() => {{ try {{ return ({expression}); }} catch (e) {{ return null; }} }})()", cancel);
            }
            catch (InvalidOperationException) when (clock.Elapsed < timeout)
            {
            }
            if (value.ValueKind is not (JsonValueKind.Undefined or JsonValueKind.Null or JsonValueKind.False)
                && !(value.ValueKind == JsonValueKind.Number && value.GetDouble() == 0)
                && !(value.ValueKind == JsonValueKind.String && value.GetString() == ""))
                return value;
            if (clock.Elapsed > timeout) throw new TimeoutException($"'{expression}' was not true within {timeout.TotalSeconds:0.#} s");
            await Task.Delay(25, cancel);
        }
    }

    public Task SetViewportAsync(int width, int height, CancellationToken cancel = default) =>
        connection.SendAsync("Emulation.setDeviceMetricsOverride",
            new JsonObject { ["width"] = width, ["height"] = height, ["deviceScaleFactor"] = 1, ["mobile"] = false }, session, cancel);

    /// <summary>A PNG of the page; with <paramref name="fullPage"/> as tall as its content (at most 6000 px).</summary>
    public async Task<byte[]> ScreenshotAsync(bool fullPage = true, CancellationToken cancel = default)
    {
        var parameters = new JsonObject { ["format"] = "png" };
        if (fullPage)
        {
            var size = await EvaluateAsync("[document.documentElement.scrollWidth, document.documentElement.scrollHeight]", cancel);
            parameters["captureBeyondViewport"] = true;
            parameters["clip"] = new JsonObject
            {
                ["x"] = 0, ["y"] = 0, ["width"] = size[0].GetDouble(), ["height"] = Math.Min(6000, size[1].GetDouble()), ["scale"] = 1,
            };
        }
        var result = await connection.SendAsync("Page.captureScreenshot", parameters, session, cancel);
        return Convert.FromBase64String(result["data"]!.GetValue<string>());
    }

    public Task CloseAsync(CancellationToken cancel = default) =>
        connection.SendAsync("Target.closeTarget", new JsonObject { ["targetId"] = target }, null, cancel);
}
