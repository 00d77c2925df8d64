using System.Security.Cryptography;
using System.Text;
using Microsoft.AspNetCore.Http;

namespace SharpEdge.Dashboard;

/// <summary>
/// Who may ask. With a token, every request must carry it: header <c>Authorization: Bearer T</c> or
/// <c>X-SharpEdge-Token: T</c>, query <c>?token=T</c>, or the cookie set when a page was opened with the query
/// (so the page's own requests, images and live stream need nothing more). Without a token the server listens on
/// loopback only and also requires a loopback Host header, so a web page elsewhere cannot reach it through DNS
/// rebinding.
/// </summary>
internal sealed class TokenGate(string? token)
{
    public const string HeaderName = "X-SharpEdge-Token";
    public const string CookieName = "sharpedge_token";
    public const string QueryName = "token";

    private readonly byte[]? expected = token is null ? null : Encoding.UTF8.GetBytes(token);

    public async Task Invoke(HttpContext context, RequestDelegate next)
    {
        if (expected is null)
        {
            if (!IsLoopbackHost(context.Request.Host.Host))
            {
                await Refuse(context, StatusCodes.Status403Forbidden, "this dashboard answers only to localhost, 127.0.0.1 or [::1]");
                return;
            }
            await next(context);
            return;
        }
        var request = context.Request;
        string? fromQuery = request.Query[QueryName];
        string? authorization = request.Headers.Authorization;
        string? presented = request.Headers[HeaderName].FirstOrDefault()
            ?? (authorization is not null && authorization.StartsWith("Bearer ", StringComparison.Ordinal) ? authorization[7..].Trim() : null)
            ?? fromQuery
            ?? request.Cookies[CookieName];
        if (presented is null || !Matches(presented))
        {
            await Refuse(context, StatusCodes.Status401Unauthorized, "a token is required (header X-SharpEdge-Token, or ?token=…)");
            return;
        }
        if (fromQuery is not null && request.Cookies[CookieName] != fromQuery)
            context.Response.Cookies.Append(CookieName, fromQuery, new CookieOptions { HttpOnly = true, SameSite = SameSiteMode.Strict, Path = "/" });
        await next(context);
    }

    private bool Matches(string presented) => CryptographicOperations.FixedTimeEquals(Encoding.UTF8.GetBytes(presented), expected);

    private static bool IsLoopbackHost(string host) =>
        host == "localhost" || (System.Net.IPAddress.TryParse(host.Trim('[', ']'), out var address) && System.Net.IPAddress.IsLoopback(address));

    private static Task Refuse(HttpContext context, int status, string message)
    {
        context.Response.StatusCode = status;
        return context.Response.WriteAsJsonAsync(new { error = message });
    }
}
