using System.Net;
using Microsoft.AspNetCore.Server.Kestrel.Core;

namespace Gateway.Api.Hosting;

/// <summary>The gateway's listeners: its port, over TLS when a certificate is set, and the optional h2c port.</summary>
/// <remarks>Every listener counts against the one connection cap, which sees a connection before its TLS handshake.</remarks>
internal static class GatewayListeners
{
    public static void Listen(KestrelServerOptions kestrel, GatewayServerOptions server, ConnectionLimiter connections)
    {
        Listen(kestrel, server.Host, server.Port, listen =>
        {
            listen.Use(connections.Wrap);
            if (server.Certificate is { } certificate)
            {
                // ALPN offers h2 and http/1.1; without TLS the port keeps to HTTP/1.1, as cleartext HTTP/1.1
                // clients expect and no upgrade to h2c is offered.
                listen.Protocols = HttpProtocols.Http1AndHttp2;
                listen.UseHttps(certificate);
            }
        });

        if (server.H2cPort is { } h2cPort)
        {
            // Prior knowledge only: a port that spoke both would have to guess each connection's protocol.
            Listen(kestrel, server.Host, h2cPort, listen =>
            {
                listen.Protocols = HttpProtocols.Http2;
                listen.Use(connections.Wrap);
            });
        }
    }

    private static void Listen(KestrelServerOptions kestrel, string host, int port, Action<ListenOptions> configure)
    {
        if (host.Equals("localhost", StringComparison.OrdinalIgnoreCase))
        {
            kestrel.ListenLocalhost(port, configure);
        }
        else
        {
            kestrel.Listen(IPAddress.Parse(host.Trim('[', ']')), port, configure);
        }
    }
}
