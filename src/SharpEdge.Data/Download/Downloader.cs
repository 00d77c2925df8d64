using System.Diagnostics;
using System.Net;
using System.Net.Http.Headers;
using Polly;
using Polly.Retry;

namespace SharpEdge.Data.Download;

/// <summary>
/// Downloads official files: bytes go to <c>NAME.part</c> next to the destination, an interrupted transfer
/// resumes from the part's length with an HTTP range request, transient failures (network errors, 5xx, a
/// stalled connection) are retried with exponential back-off (Polly), the finished part is checked against the
/// known size and checksum (and deleted if it differs), and only then renamed to its final name, so a file
/// under its final name is always complete. Mirrors are tried in order.
/// </summary>
public sealed class Downloader
{
    private static readonly Lazy<HttpClient> SharedClient = new(() =>
    {
        // raw bytes as served: a .gz must stay compressed
        var client = new HttpClient(new SocketsHttpHandler { AutomaticDecompression = DecompressionMethods.None, ConnectTimeout = TimeSpan.FromSeconds(30) })
        {
            Timeout = Timeout.InfiniteTimeSpan,
        };
        client.DefaultRequestHeaders.UserAgent.ParseAdd("SharpEdge-data/1.0");
        return client;
    });

    private readonly HttpClient _client;

    public Downloader(HttpClient? client = null) => _client = client ?? SharedClient.Value;

    /// <summary>Attempts per URL after the first.</summary>
    public int MaxRetries { get; init; } = 5;

    /// <summary>First retry delay; doubles each time.</summary>
    public TimeSpan RetryDelay { get; init; } = TimeSpan.FromSeconds(1);

    /// <summary>A transfer with no byte for this long is abandoned (and resumed by the next attempt).</summary>
    public TimeSpan InactivityTimeout { get; init; } = TimeSpan.FromSeconds(60);

    /// <summary>Called as bytes arrive (at most every 100 ms, and at the end).</summary>
    public Action<DownloadProgress>? Progress { get; init; }

    public Action<string>? Log { get; init; }

    public string Download(RemoteFile file, string folder) => DownloadAsync(file, folder).GetAwaiter().GetResult();

    /// <summary>Downloads <paramref name="file"/> into <paramref name="folder"/> and returns its path.</summary>
    public async Task<string> DownloadAsync(RemoteFile file, string folder, CancellationToken cancellation = default)
    {
        if (file.Urls.Count == 0) throw new ArgumentException($"{file.FileName}: no URL to download from");
        Directory.CreateDirectory(folder);
        var destination = Path.Combine(folder, file.FileName);
        var part = destination + ".part";
        if (File.Exists(destination))
        {
            // a file under its final name was complete when renamed; re-check it when a digest is known
            if (!file.HasChecksum && file.Size is null) return destination;
            try
            {
                Checksum.Verify(destination, file, destination);
                Log?.Invoke($"{file.FileName}: already downloaded and verified");
                return destination;
            }
            catch (ChecksumMismatchException)
            {
                Log?.Invoke($"{file.FileName}: the existing copy does not match its checksum; downloading again");
            }
        }
        Exception? last = null;
        foreach (var url in file.Urls)
        {
            try
            {
                await Pipeline(url).ExecuteAsync(async token => await Transfer(url, file, part, token), cancellation);
                Checksum.Verify(part, file, url);
                File.Move(part, destination, overwrite: true);
                return destination;
            }
            catch (Exception e) when (e is IOException or HttpRequestException or TimeoutException && !cancellation.IsCancellationRequested)
            {
                last = e;
                if (file.Urls.Count > 1) Log?.Invoke($"{file.FileName}: {url} failed ({e.Message}); trying the next mirror");
            }
        }
        // one URL: a server's answer (an IOException) already names the URL and the problem; a network failure
        // (no route, no name resolution, a timeout) is wrapped so that it names the file and the URL too
        if (file.Urls.Count == 1 && last is IOException) System.Runtime.ExceptionServices.ExceptionDispatchInfo.Throw(last);
        if (file.Urls.Count == 1) throw new IOException($"{file.FileName}: download failed from {file.Urls[0]}: {last!.Message}", last);
        throw new IOException($"{file.FileName}: download failed from {string.Join(", ", file.Urls)}: {last!.Message}", last);
    }

    private ResiliencePipeline Pipeline(string url) => new ResiliencePipelineBuilder()
        .AddRetry(new RetryStrategyOptions
        {
            MaxRetryAttempts = Math.Max(1, MaxRetries),
            Delay = RetryDelay,
            BackoffType = DelayBackoffType.Exponential,
            UseJitter = false,
            ShouldHandle = new PredicateBuilder().Handle<Exception>(IsTransient),
            OnRetry = args =>
            {
                Log?.Invoke($"{url}: {args.Outcome.Exception?.Message}; retry {args.AttemptNumber + 1} of {MaxRetries} in {args.RetryDelay.TotalSeconds:G3} s");
                return default;
            },
        })
        .Build();

    private static bool IsTransient(Exception e) => e switch
    {
        HttpStatusException status => status.Transient,
        ChecksumMismatchException => false,
        HttpRequestException or IOException or TimeoutException => true,
        _ => false,
    };

    /// <summary>One attempt: continue the part file from its length, or start it over when the server cannot resume.</summary>
    private async Task Transfer(string url, RemoteFile file, string part, CancellationToken cancellation)
    {
        long existing = File.Exists(part) ? new FileInfo(part).Length : 0;
        using var request = new HttpRequestMessage(HttpMethod.Get, url);
        if (existing > 0) request.Headers.Range = new RangeHeaderValue(existing, null);
        using var response = await _client.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, cancellation);
        if (response.StatusCode == HttpStatusCode.RequestedRangeNotSatisfiable && existing > 0)
        {
            // the part may hold the whole file already; otherwise it is unusable
            if (response.Content.Headers.ContentRange?.Length == existing) return;
            File.Delete(part);
            throw new IOException($"{url}: the server cannot resume from byte {existing}; starting over");
        }
        if (!response.IsSuccessStatusCode) throw new HttpStatusException(url, response.StatusCode);
        bool resumed = response.StatusCode == HttpStatusCode.PartialContent;
        if (resumed && response.Content.Headers.ContentRange?.From != existing)
        {
            File.Delete(part);
            throw new IOException($"{url}: the server resumed at the wrong offset; starting over");
        }
        if (!resumed) existing = 0;   // the server ignored the range: whole file again
        long? total = resumed ? response.Content.Headers.ContentRange?.Length : response.Content.Headers.ContentLength;
        if (file.Size is { } size && total is { } announced && announced != size)
            Log?.Invoke($"{file.FileName}: the server announces {announced:N0} bytes, {size:N0} expected");
        if (resumed) Log?.Invoke($"{file.FileName}: resuming at {existing:N0} bytes");

        await using var body = await response.Content.ReadAsStreamAsync(cancellation);
        await using var output = new FileStream(part, resumed ? FileMode.Append : FileMode.Create, FileAccess.Write, FileShare.None, 1 << 16);
        var buffer = new byte[1 << 16];
        long written = existing;
        var clock = Stopwatch.StartNew();
        using var stall = CancellationTokenSource.CreateLinkedTokenSource(cancellation);
        while (true)
        {
            stall.CancelAfter(InactivityTimeout);
            int n;
            try
            {
                n = await body.ReadAsync(buffer, stall.Token);
            }
            catch (OperationCanceledException) when (!cancellation.IsCancellationRequested)
            {
                throw new TimeoutException($"{url}: no data for {InactivityTimeout.TotalSeconds:G3} s");
            }
            if (n == 0) break;
            // written before the next read, so a dropped connection keeps every byte received for the resume
            await output.WriteAsync(buffer.AsMemory(0, n), cancellation);
            written += n;
            if (clock.ElapsedMilliseconds >= 100)
            {
                await output.FlushAsync(cancellation);
                Progress?.Invoke(new DownloadProgress(file.FileName, written, total, resumed));
                clock.Restart();
            }
        }
        await output.FlushAsync(cancellation);
        Progress?.Invoke(new DownloadProgress(file.FileName, written, total, resumed));
        if (total is { } expected && written != expected)
            throw new IOException($"{url}: the connection closed after {written:N0} of {expected:N0} bytes");
    }
}
