using System.Net;
using System.Net.Sockets;
using Gateway.IntegrationTests.Support;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;

namespace Gateway.IntegrationTests.Reliability;

/// <summary>The TLS and h2c listeners are held to the connection limiter like the plain one.</summary>
public sealed class Http2ConnectionLimitTests
{
    private static readonly TimeSpan Deadline = TimeSpan.FromSeconds(60);

    [Fact]
    public async Task IdleConnections_OnTlsAndH2cPorts_AreClosed_Http2ConnectionsThatSentARequestStay()
    {
        var clock = new FakeTimeProvider(DateTimeOffset.UtcNow);
        using var certificate = TestCertificate.Create();
        await using var gateway = new GatewayFactory()
            .With("GATEWAY_TLS_CERT", certificate.CertificatePath)
            .With("GATEWAY_TLS_KEY", certificate.KeyPath)
            .With("GATEWAY_H2C_PORT", "8081")
            .WithServices(services => services.AddSingleton<TimeProvider>(clock));
        var addresses = gateway.Addresses;
        using var idleTls = await ConnectAsync(addresses[0].Port);
        using var idleH2c = await ConnectAsync(addresses[1].Port);
        var connections = 0;
        using var client = new HttpClient(new SocketsHttpHandler
        {
            UseProxy = false,
            ConnectCallback = async (context, cancellationToken) =>
            {
                Interlocked.Increment(ref connections);
                var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
                await socket.ConnectAsync(context.DnsEndPoint, cancellationToken);
                return new NetworkStream(socket, ownsSocket: true);
            },
        })
        {
            DefaultRequestVersion = HttpVersion.Version20,
            DefaultVersionPolicy = HttpVersionPolicy.RequestVersionExact,
        };
        var health = new Uri(addresses[1], "/health");
        (await client.GetAsync(health)).StatusCode.ShouldBe(HttpStatusCode.OK);

        // Kestrel's request-headers timeout is 30 s; the limiter checks every second.
        await Eventually.TrueAsync(
            () =>
            {
                clock.Advance(TimeSpan.FromSeconds(1));
                return ClosedByPeer(idleTls) && ClosedByPeer(idleH2c);
            },
            Deadline,
            "the connections that sent nothing to be closed");

        (await client.GetAsync(health)).StatusCode.ShouldBe(HttpStatusCode.OK);
        connections.ShouldBe(1, "the HTTP/2 connection that sent a request stays open");
    }

    private static async Task<Socket> ConnectAsync(int port)
    {
        var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        await socket.ConnectAsync(IPAddress.Loopback, port);
        return socket;
    }

    private static bool ClosedByPeer(Socket socket)
    {
        try
        {
            return socket.Poll(0, SelectMode.SelectRead) && socket.Available == 0;
        }
        catch (SocketException)
        {
            return true;
        }
    }
}
