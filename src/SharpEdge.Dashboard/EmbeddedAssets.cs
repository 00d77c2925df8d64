using System.Reflection;
using System.Security.Cryptography;
using Microsoft.AspNetCore.Http;

namespace SharpEdge.Dashboard;

/// <summary>
/// The pages, scripts, styles and vendored chart library under <c>wwwroot/</c>, embedded in the assembly and
/// served from memory: a request names an entry of this fixed table or gets 404, so static files cannot reach
/// the file system at all. Pages share one navigation bar: the line <c>&lt;!-- header: partials/header.html --&gt;</c>
/// in a page is replaced by that partial when the assets load; partials are not served themselves.
/// </summary>
internal sealed class EmbeddedAssets
{
    private const string Prefix = "wwwroot/";
    private const string Partials = "partials/";
    private const string HeaderMarker = "<!-- header: partials/header.html -->\n";
    private readonly Dictionary<string, (byte[] Bytes, string Type, string ETag)> assets = new(StringComparer.Ordinal);

    public EmbeddedAssets(Assembly assembly)
    {
        var files = assembly.GetManifestResourceNames().Where(n => n.StartsWith(Prefix, StringComparison.Ordinal))
            .ToDictionary(n => n[Prefix.Length..].Replace('\\', '/'), n => Read(assembly, n), StringComparer.Ordinal);
        string header = files.TryGetValue(Partials + "header.html", out var partial) ? System.Text.Encoding.UTF8.GetString(partial) : "";
        foreach (var (path, content) in files)
        {
            if (path.StartsWith(Partials, StringComparison.Ordinal)) continue;
            var bytes = path.EndsWith(".html", StringComparison.Ordinal)
                ? System.Text.Encoding.UTF8.GetBytes(System.Text.Encoding.UTF8.GetString(content).Replace(HeaderMarker, header))
                : content;
            string etag = "\"" + Convert.ToHexString(SHA256.HashData(bytes), 0, 8) + "\"";
            assets[path] = (bytes, TypeOf(path), etag);
        }
    }

    private static byte[] Read(Assembly assembly, string resource)
    {
        using var stream = assembly.GetManifestResourceStream(resource)!;
        using var copy = new MemoryStream();
        stream.CopyTo(copy);
        return copy.ToArray();
    }

    public bool Contains(string path) => assets.ContainsKey(path);

    /// <summary>Writes the asset (or 304 when the browser's copy is current); false when there is no such asset.</summary>
    public async Task<bool> Write(HttpContext context, string path, int status = StatusCodes.Status200OK)
    {
        if (!assets.TryGetValue(path, out var asset)) return false;
        var response = context.Response;
        response.Headers.ETag = asset.ETag;
        response.Headers.CacheControl = "no-cache"; // revalidate: a rebuilt server may ship new pages
        response.Headers.XContentTypeOptions = "nosniff";
        if (status == StatusCodes.Status200OK && context.Request.Headers.IfNoneMatch == asset.ETag)
        {
            response.StatusCode = StatusCodes.Status304NotModified;
            return true;
        }
        response.StatusCode = status;
        response.ContentType = asset.Type;
        response.ContentLength = asset.Bytes.Length;
        await response.Body.WriteAsync(asset.Bytes, context.RequestAborted);
        return true;
    }

    private static string TypeOf(string name) => Path.GetExtension(name).ToLowerInvariant() switch
    {
        ".html" => "text/html; charset=utf-8",
        ".js" => "text/javascript; charset=utf-8",
        ".css" => "text/css; charset=utf-8",
        ".png" => "image/png",
        ".svg" => "image/svg+xml",
        ".ico" => "image/x-icon",
        _ => "text/plain; charset=utf-8",
    };
}
