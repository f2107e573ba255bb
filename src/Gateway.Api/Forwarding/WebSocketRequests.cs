using System.Security.Cryptography;
using Gateway.Application.Forwarding;
using Gateway.Infrastructure.Http;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.Extensions.Primitives;

namespace Gateway.Api.Forwarding;

/// <summary>Which client requests ask for a WebSocket, and how they are put to an instance.</summary>
/// <remarks>
/// Instances are asked over HTTP/1.1 whichever way the client came: an HTTP/1.1 upgrade as it is, a WebSocket over
/// HTTP/2 (RFC 8441's extended CONNECT) turned into the HTTP/1.1 GET it stands for, as YARP does.
/// </remarks>
internal static class WebSocketRequests
{
    public const string Protocol = "websocket";

    private const string KeyHeader = "Sec-WebSocket-Key";

    /// <summary>
    /// An HTTP/1.1 GET that Kestrel can upgrade (Connection names <c>upgrade</c>, an Upgrade header, no body) and whose
    /// Upgrade lists <c>websocket</c>, or an HTTP/2 extended CONNECT for <c>websocket</c>. Any other Upgrade value is
    /// dropped with the hop-by-hop headers and never switches.
    /// </summary>
    public static bool IsUpgrade(HttpContext context) =>
        IsExtendedConnect(context)
        || (context.Features.Get<IHttpUpgradeFeature>() is { IsUpgradableRequest: true }
            && HttpMethods.IsGet(context.Request.Method)
            && HeaderTokens.Contains(context.Request.Headers.Upgrade, Protocol));

    public static bool IsExtendedConnect(HttpContext context) =>
        context.Features.Get<IHttpExtendedConnectFeature>() is { IsExtendedConnect: true } connect
        && string.Equals(connect.Protocol, Protocol, StringComparison.OrdinalIgnoreCase);

    /// <summary>The command as the HTTP/1.1 upgrade the instance is asked for: a GET without a body.</summary>
    public static ForwardRequestCommand AsUpgrade(ForwardRequestCommand command, HttpContext context) =>
        command with
        {
            Method = HttpMethods.Get,
            Body = null,
            ContentLength = null,
            Upgrade = Protocol,
            // HTTP/2 has no handshake key (RFC 8441 §5); the instance's HTTP/1.1 handshake needs one.
            Headers = IsExtendedConnect(context) ? WithKey(command.Headers) : command.Headers,
        };

    private static IEnumerable<KeyValuePair<string, StringValues>> WithKey(IEnumerable<KeyValuePair<string, StringValues>> headers) =>
        headers.Where(header => !header.Key.Equals(KeyHeader, StringComparison.OrdinalIgnoreCase))
            .Append(new(KeyHeader, Convert.ToBase64String(RandomNumberGenerator.GetBytes(16))));
}
