using System.Globalization;
using Gateway.IntegrationTests.Support;
using Grpc.Net.Client;

namespace Gateway.IntegrationTests.Grpc;

/// <summary>
/// One h2c-only gRPC instance behind one gateway that serves HTTPS (HTTP/2 by ALPN) on its port and HTTP/2 with prior
/// knowledge on GATEWAY_H2C_PORT, shared by the gRPC tests: starting them is the slow part.
/// </summary>
public sealed class GrpcGatewayFixture : IAsyncLifetime
{
    /// <summary>The two ways a gRPC client reaches the gateway.</summary>
    public const string Tls = "tls";
    public const string H2c = "h2c";

    public const int MaxMessageSize = 16 * 1024 * 1024;

    public GrpcBackend Backend { get; private set; } = null!;

    public TestCertificate Certificate { get; } = TestCertificate.Create();

    public GatewayFactory Gateway { get; private set; } = null!;

    /// <summary>The gateway's port, over TLS.</summary>
    public Uri TlsAddress { get; private set; } = null!;

    /// <summary>The gateway's cleartext HTTP/2 port.</summary>
    public Uri H2cAddress { get; private set; } = null!;

    public async Task InitializeAsync()
    {
        Backend = await GrpcBackend.StartAsync();
        var port = Backend.Port.ToString(CultureInfo.InvariantCulture);
        Gateway = new GatewayFactory()
            .With("GATEWAY_TLS_CERT", Certificate.CertificatePath)
            .With("GATEWAY_TLS_KEY", Certificate.KeyPath)
            .With("GATEWAY_H2C_PORT", "8081")
            .With("Gateway:Services:echo:Instances:0:Host", "127.0.0.1")
            .With("Gateway:Services:echo:Instances:0:Port", port)
            .With("Gateway:Services:echo:Instances:0:Scheme", "h2c")
            .With("Gateway:Services:slow:RequestTimeout", "1")
            .With("Gateway:Services:slow:Instances:0:Host", "127.0.0.1")
            .With("Gateway:Services:slow:Instances:0:Port", port)
            .With("Gateway:Services:slow:Instances:0:Scheme", "h2c")
            .With("Gateway:Services:dead:Instances:0:Host", "127.0.0.1")
            .With("Gateway:Services:dead:Instances:0:Port", Ports.Dead().ToString(CultureInfo.InvariantCulture))
            .With("Gateway:Services:dead:Instances:0:Scheme", "h2c");
        var addresses = Gateway.Addresses;
        addresses.Count.ShouldBe(2, string.Join(", ", addresses));
        TlsAddress = addresses[0];
        H2cAddress = addresses[1];
        TlsAddress.Scheme.ShouldBe("https");
    }

    public async Task DisposeAsync()
    {
        await Gateway.DisposeAsync();
        await Backend.DisposeAsync();
        Certificate.Dispose();
    }

    /// <summary>A channel to <paramref name="service"/> through the gateway, over TLS or h2c.</summary>
    public GrpcChannel Channel(string via, string service = "echo")
    {
        var (address, handler) = via == Tls
            ? (TlsAddress, Certificate.CreateHandler())
            : (H2cAddress, new SocketsHttpHandler { UseProxy = false });
        return GrpcChannel.ForAddress(address, new GrpcChannelOptions
        {
            HttpHandler = new ServicePrefixHandler(service, handler),
            MaxReceiveMessageSize = MaxMessageSize,
            MaxSendMessageSize = MaxMessageSize,
        });
    }

    public Echo.EchoClient Client(string via, string service = "echo") => new(Channel(via, service));

    /// <summary>
    /// Puts <c>/{service}</c> before each call's path: a channel's address cannot carry a path of its own, and the
    /// gateway routes by the first segment (the sub-directory handler grpc-dotnet's documentation describes).
    /// </summary>
    private sealed class ServicePrefixHandler(string service, HttpMessageHandler inner) : DelegatingHandler(inner)
    {
        protected override Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
        {
            var uri = request.RequestUri!;
            request.RequestUri = new Uri(uri, "/" + service + uri.AbsolutePath);
            return base.SendAsync(request, cancellationToken);
        }
    }
}
