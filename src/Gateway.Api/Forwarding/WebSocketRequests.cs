using Microsoft.AspNetCore.Http.Features;

namespace Gateway.Api.Forwarding;

/// <summary>Which client requests ask to switch their connection to WebSocket.</summary>
internal static class WebSocketRequests
{
    public const string Protocol = "websocket";

    /// <summary>
    /// An HTTP/1.1 GET that Kestrel can upgrade (Connection names <c>upgrade</c>, an Upgrade header, no body) and whose
    /// Upgrade lists <c>websocket</c>. Any other Upgrade value is dropped with the hop-by-hop headers and never switches.
    /// </summary>
    public static bool IsUpgrade(HttpContext context) =>
        context.Features.Get<IHttpUpgradeFeature>() is { IsUpgradableRequest: true }
        && HttpMethods.IsGet(context.Request.Method)
        && Lists(context.Request.Headers.Upgrade, Protocol);

    private static bool Lists(Microsoft.Extensions.Primitives.StringValues values, string token)
    {
        foreach (var value in values)
        {
            if (value is null)
            {
                continue;
            }

            foreach (var range in value.AsSpan().Split(','))
            {
                if (value.AsSpan()[range].Trim().Equals(token, StringComparison.OrdinalIgnoreCase))
                {
                    return true;
                }
            }
        }

        return false;
    }
}
