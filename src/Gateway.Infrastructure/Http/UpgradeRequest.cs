using System.Net;

namespace Gateway.Infrastructure.Http;

/// <summary>Turns a forwarded message into an HTTP/1.1 upgrade request for the instance.</summary>
/// <remarks>
/// The client's Connection and Upgrade headers stay behind like any hop-by-hop header; the gateway asks for the switch
/// on its own connection. SocketsHttpHandler then hands back a 101 whose content stream is the raw connection, read
/// and written both ways, as YARP's forwarder relies on.
/// </remarks>
internal static class UpgradeRequest
{
    public static void Prepare(HttpRequestMessage message, string protocol)
    {
        // Only HTTP/1.1 has Upgrade (RFC 9113 §8.2.2 forbids it in HTTP/2).
        message.Version = HttpVersion.Version11;
        message.VersionPolicy = HttpVersionPolicy.RequestVersionExact;
        message.Headers.TryAddWithoutValidation("Connection", "Upgrade");
        message.Headers.TryAddWithoutValidation("Upgrade", protocol);
    }
}
