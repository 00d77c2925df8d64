using System.Net;

namespace SharpEdge.Data.Download;

/// <summary>A server's refusal. Transient statuses (5xx, 408, 429) are retried; the others move on to the next mirror.</summary>
public sealed class HttpStatusException(string url, HttpStatusCode status)
    : IOException($"{url}: HTTP {(int)status} {status}")
{
    public HttpStatusCode Status { get; } = status;

    public bool Transient => (int)Status >= 500 || Status is HttpStatusCode.RequestTimeout or HttpStatusCode.TooManyRequests;
}
