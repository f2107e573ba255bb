using System.Collections.Frozen;
using Microsoft.Extensions.Primitives;

namespace Gateway.Infrastructure.Http;

/// <summary>Headers that describe one connection and so must not be passed to the next (RFC 9110 §7.6.1).</summary>
/// <remarks>
/// Besides the fixed set, the headers Connection names stay behind. Kestrel hands the app a Connection header that
/// holds <c>keep-alive</c>, <c>close</c> or <c>upgrade</c> cut down to that one token, so the other names beside it
/// never reach the gateway; the fixed set therefore holds every header that only ever travels named in Connection
/// (HTTP2-Settings, RFC 9113 §3.2.1), which stays behind however Connection arrived.
/// </remarks>
internal static class HopByHopHeaders
{
    private static readonly FrozenSet<string> Names = new[]
    {
        "Connection", "Keep-Alive", "Proxy-Connection", "TE", "Trailer", "Transfer-Encoding", "Upgrade", "HTTP2-Settings",
    }.ToFrozenSet(StringComparer.OrdinalIgnoreCase);

    /// <summary>Whether a header stays behind; <paramref name="connectionValues"/> are the Connection header's values.</summary>
    public static bool IsHopByHop(string name, StringValues values, StringValues connectionValues)
    {
        if (Names.Contains(name))
        {
            // "TE: trailers" announces that the client accepts trailers, which gRPC over HTTP/2 depends on.
            return !(string.Equals(name, "TE", StringComparison.OrdinalIgnoreCase)
                && values.Count == 1
                && string.Equals(values[0], "trailers", StringComparison.OrdinalIgnoreCase));
        }

        return connectionValues.Count > 0 && HeaderTokens.Contains(connectionValues, name);
    }
}
