using System.Net;
using System.Net.WebSockets;
using System.Security.Cryptography;
using System.Text;
using Gateway.IntegrationTests.Support;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.Extensions.DependencyInjection;

namespace Gateway.IntegrationTests.Proxying;

/// <summary>WebSockets through the gateway, with a real ClientWebSocket and a real Kestrel WebSocket server.</summary>
public sealed class WebSocketTests : IAsyncLifetime
{
    private static readonly TimeSpan Deadline = TimeSpan.FromSeconds(30);

    private WebSocketBackend _a = null!;
    private WebSocketBackend _b = null!;
    private GatewayFactory _gateway = null!;
    private HttpClient _client = null!;

    public async Task InitializeAsync()
    {
        _a = await WebSocketBackend.StartAsync();
        _b = await WebSocketBackend.StartAsync();
        _gateway = new GatewayFactory()
            .WithServicePorts("ws", "round_robin", _a.Port)
            .WithServicePorts("pair", "least_connections", _a.Port, _b.Port);
        _client = _gateway.CreateRawClient();
    }

    public async Task DisposeAsync()
    {
        _client.Dispose();
        await _gateway.DisposeAsync();
        await _a.DisposeAsync();
        await _b.DisposeAsync();
    }

    [Fact]
    public async Task TextMessage_IsEchoedUnchanged()
    {
        using var socket = await ConnectAsync("/ws/echo");

        await SendTextAsync(socket, "héllo, wörld");

        var (type, payload) = await ReceiveMessageAsync(socket);
        type.ShouldBe(WebSocketMessageType.Text);
        Encoding.UTF8.GetString(payload).ShouldBe("héllo, wörld");
    }

    [Fact]
    public async Task BinaryMessage_IsEchoedUnchanged()
    {
        using var socket = await ConnectAsync("/ws/echo");
        byte[] sent = [0, 1, 2, 254, 255, 0, 128];

        await socket.SendAsync(sent, WebSocketMessageType.Binary, endOfMessage: true, Timeout());

        var (type, payload) = await ReceiveMessageAsync(socket);
        type.ShouldBe(WebSocketMessageType.Binary);
        payload.ShouldBe(sent);
    }

    [Fact]
    public async Task FragmentedMessage_ArrivesWhole()
    {
        using var socket = await ConnectAsync("/ws/echo");

        await socket.SendAsync(Encoding.UTF8.GetBytes("one "), WebSocketMessageType.Text, endOfMessage: false, Timeout());
        await socket.SendAsync(Encoding.UTF8.GetBytes("two "), WebSocketMessageType.Text, endOfMessage: false, Timeout());
        await socket.SendAsync(Encoding.UTF8.GetBytes("three"), WebSocketMessageType.Text, endOfMessage: true, Timeout());

        var (type, payload) = await ReceiveMessageAsync(socket);
        type.ShouldBe(WebSocketMessageType.Text);
        Encoding.UTF8.GetString(payload).ShouldBe("one two three");
    }

    [Fact]
    public async Task OneMebibyteMessage_IsEchoedByteForByte()
    {
        using var socket = await ConnectAsync("/ws/echo");
        var sent = RandomNumberGenerator.GetBytes(1024 * 1024);

        var sending = socket.SendAsync(sent, WebSocketMessageType.Binary, endOfMessage: true, Timeout());
        var (type, payload) = await ReceiveMessageAsync(socket);
        await sending;

        type.ShouldBe(WebSocketMessageType.Binary);
        payload.Length.ShouldBe(sent.Length);
        SHA256.HashData(payload).ShouldBe(SHA256.HashData(sent));
    }

    [Fact]
    public async Task ClientClose_CodeAndDescriptionReachTheInstanceAndComeBack()
    {
        using var socket = await ConnectAsync("/ws/echo");

        await socket.CloseAsync((WebSocketCloseStatus)4000, "done here", Timeout());

        socket.State.ShouldBe(WebSocketState.Closed);
        socket.CloseStatus.ShouldBe((WebSocketCloseStatus)4000);
        socket.CloseStatusDescription.ShouldBe("done here");
        await Eventually.TrueAsync(() => _a.Endings.Contains("4000 done here"), Deadline, "the instance saw the close");
    }

    [Fact]
    public async Task ServerClose_ReachesTheClientWithItsCode_AndTheConnectionEnds()
    {
        using var socket = await ConnectAsync("/ws/close?code=4001&reason=server%20leaving");

        var buffer = new byte[1024];
        var received = await socket.ReceiveAsync(buffer, Timeout());
        received.MessageType.ShouldBe(WebSocketMessageType.Close);
        socket.CloseStatus.ShouldBe((WebSocketCloseStatus)4001);
        socket.CloseStatusDescription.ShouldBe("server leaving");
        await socket.CloseOutputAsync(WebSocketCloseStatus.NormalClosure, null, Timeout());

        socket.State.ShouldBe(WebSocketState.Closed);
        await Eventually.TrueAsync(() => _a.Open == 0, Deadline, "the instance's socket ended");
    }

    [Fact]
    public async Task PingsAndPongs_PassBothWays_KeepingAnIdleSocketAlive()
    {
        // The client pings every 100 ms and aborts when a pong is 3 s late: 4 s without a message proves the pongs came back.
        using var socket = new ClientWebSocket();
        socket.Options.KeepAliveInterval = TimeSpan.FromMilliseconds(100);
        socket.Options.KeepAliveTimeout = TimeSpan.FromSeconds(3);
        await socket.ConnectAsync(WebSocketUri("/ws/echo"), Timeout());
        var receiving = ReceiveMessageAsync(socket);

        await Task.WhenAny(receiving, Task.Delay(TimeSpan.FromSeconds(4)));
        receiving.IsCompleted.ShouldBeFalse("the keep-alive aborted the socket or a message arrived");
        await SendTextAsync(socket, "still here");

        var (_, payload) = await receiving;
        Encoding.UTF8.GetString(payload).ShouldBe("still here");
    }

    [Fact]
    public async Task QuietSocket_OutlivesKestrelsMinimumDataRate()
    {
        using var socket = new ClientWebSocket();
        socket.Options.KeepAliveInterval = TimeSpan.Zero;
        await socket.ConnectAsync(WebSocketUri("/ws/echo"), Timeout());

        await QuietAsync();
        await SendTextAsync(socket, "after the quiet");

        Encoding.UTF8.GetString((await ReceiveMessageAsync(socket)).Payload).ShouldBe("after the quiet");
    }

    [Fact]
    public async Task InstanceAnsweringOtherThan101_HasItsAnswerForwarded()
    {
        using var socket = new ClientWebSocket();
        socket.Options.CollectHttpResponseDetails = true;

        await Should.ThrowAsync<WebSocketException>(() => socket.ConnectAsync(WebSocketUri("/ws/reject"), Timeout()));

        socket.HttpStatusCode.ShouldBe(HttpStatusCode.Forbidden);
        socket.HttpResponseHeaders!["X-Gateway-Instance"].ShouldBe([$"127.0.0.1:{_a.Port}"]);
        using var request = UpgradeRequest("/ws/reject", "websocket");
        using var response = await _client.SendAsync(request);
        response.StatusCode.ShouldBe(HttpStatusCode.Forbidden);
        (await response.Content.ReadAsStringAsync()).ShouldBe("no sockets here");
    }

    [Fact]
    public async Task OtherUpgrade_IsNotSwitched_AndTheInstanceSeesNoUpgrade()
    {
        using var request = UpgradeRequest("/ws/plain", "foo");

        using var response = await _client.SendAsync(request);

        response.StatusCode.ShouldBe(HttpStatusCode.OK);
        (await response.Content.ReadAsStringAsync()).ShouldBe("-");
    }

    [Fact]
    public async Task InstanceSwitchingUnasked_Is502()
    {
        await using var instance = ScriptedServer.Start("HTTP/1.1 101 Switching Protocols\r\nConnection: Upgrade\r\nUpgrade: foo\r\n\r\n");
        // Its health probes get the same 101; a high threshold keeps it in rotation for the request under test.
        await using var gateway = new GatewayFactory()
            .With("Gateway:HealthChecks:UnhealthyThreshold", "1000")
            .WithServicePorts("svc", "round_robin", instance.Port);
        using var client = gateway.CreateRawClient();

        using var response = await client.GetAsync("/svc/plain");

        response.StatusCode.ShouldBe(HttpStatusCode.BadGateway);
        response.Content.Headers.ContentType!.MediaType.ShouldBe("application/problem+json");
        (await ServicesView.InstanceAsync(client, "svc", instance.Port)).GetProperty("consecutivePassiveFailures").GetInt32().ShouldBe(1);
    }

    [Fact]
    public async Task OpenSocket_CountsInFlight_SoLeastConnectionsSendsTheNextElsewhere()
    {
        using var first = await ConnectAsync("/pair/echo", collectDetails: true);
        var firstPort = PortOf(first);
        var otherPort = firstPort == _a.Port ? _b.Port : _a.Port;

        (await ActiveRequestsAsync("pair", firstPort)).ShouldBe(1);
        using (var second = await ConnectAsync("/pair/echo", collectDetails: true))
        {
            PortOf(second).ShouldBe(otherPort);
            await SendTextAsync(first, "ping");
            (await ReceiveMessageAsync(first)).Payload.ShouldBe(Encoding.UTF8.GetBytes("ping"));
            await second.CloseAsync(WebSocketCloseStatus.NormalClosure, null, Timeout());
        }

        await Eventually.TrueAsync(async () => await ActiveRequestsAsync("pair", otherPort) == 0, Deadline, "the closed socket left the count");
        (await ActiveRequestsAsync("pair", firstPort)).ShouldBe(1);
        await first.CloseAsync(WebSocketCloseStatus.NormalClosure, null, Timeout());
        await Eventually.TrueAsync(async () => await ActiveRequestsAsync("pair", firstPort) == 0, Deadline, "the closed socket left the count");
    }

    [Fact]
    public async Task HundredSockets_ExchangingForTenSeconds_HaveNoErrors()
    {
        const int sockets = 100;
        var until = DateTime.UtcNow + TimeSpan.FromSeconds(10);
        var exchanged = new int[sockets];

        await Task.WhenAll(Enumerable.Range(0, sockets).Select(async i =>
        {
            using var socket = await ConnectAsync("/pair/echo");
            var n = 0;
            while (DateTime.UtcNow < until)
            {
                var text = $"socket {i} message {n++}";
                await SendTextAsync(socket, text);
                Encoding.UTF8.GetString((await ReceiveMessageAsync(socket)).Payload).ShouldBe(text);
                exchanged[i]++;
                await Task.Delay(50);
            }

            await socket.CloseAsync(WebSocketCloseStatus.NormalClosure, "bye", Timeout());
            socket.CloseStatus.ShouldBe(WebSocketCloseStatus.NormalClosure);
        }));

        exchanged.ShouldAllBe(count => count > 0);
        await Eventually.TrueAsync(() => _a.Open + _b.Open == 0, Deadline, "every instance socket ended");
        _a.Endings.Concat(_b.Endings).ShouldAllBe(ending => ending == "1000 bye");
    }

    [Fact]
    public async Task Upgrades_AreCountedInMetrics()
    {
        using (var socket = await ConnectAsync("/ws/echo"))
        {
            await socket.CloseAsync(WebSocketCloseStatus.NormalClosure, null, Timeout());
        }

        var metrics = await _client.GetStringAsync("/metrics");

        metrics.ShouldContain($"gateway_websocket_connections_total{{instance=\"127.0.0.1:{_a.Port}\",service=\"ws\"}} 1");
    }

    [Fact]
    public async Task WebSocketOverHttp2_ReachesTheHttp11Instance_BothWays()
    {
        // The gateway's own listener speaks HTTP/1.1 only; a second one, HTTP/2 with prior knowledge, stands in for
        // an HTTP/2 listener here.
        var http2Port = Ports.Unused();
        await using var gateway = new GatewayFactory()
            .WithServicePorts("ws", "round_robin", _a.Port)
            .WithServices(services => services.PostConfigure<KestrelServerOptions>(kestrel =>
                kestrel.Listen(IPAddress.Loopback, http2Port, listen => listen.Protocols = HttpProtocols.Http2)));
        gateway.StartServer();
        using var handler = new SocketsHttpHandler();
        using var invoker = new HttpMessageInvoker(handler);
        using var socket = new ClientWebSocket();
        socket.Options.HttpVersion = HttpVersion.Version20;
        socket.Options.HttpVersionPolicy = HttpVersionPolicy.RequestVersionExact;
        socket.Options.CollectHttpResponseDetails = true;

        await socket.ConnectAsync(new Uri($"ws://127.0.0.1:{http2Port}/ws/echo"), invoker, Timeout());
        await QuietAsync();
        var sent = RandomNumberGenerator.GetBytes(256 * 1024);
        var sending = socket.SendAsync(sent, WebSocketMessageType.Binary, endOfMessage: true, Timeout());
        var (type, payload) = await ReceiveMessageAsync(socket);
        await sending;
        await socket.CloseAsync((WebSocketCloseStatus)4002, "over h2", Timeout());

        socket.HttpStatusCode.ShouldBe(HttpStatusCode.OK);
        type.ShouldBe(WebSocketMessageType.Binary);
        SHA256.HashData(payload).ShouldBe(SHA256.HashData(sent));
        socket.CloseStatus.ShouldBe((WebSocketCloseStatus)4002);
        await Eventually.TrueAsync(() => _a.Endings.Contains("4002 over h2"), Deadline, "the HTTP/1.1 instance saw the close");
    }

    /// <summary>
    /// Seven seconds without a byte: past Kestrel's 5 s grace for the minimum request body data rate, which would end
    /// a pending read on a socket still held to it.
    /// </summary>
    private static Task QuietAsync() => Task.Delay(TimeSpan.FromSeconds(7));

    private async Task<ClientWebSocket> ConnectAsync(string path, bool collectDetails = false)
    {
        var socket = new ClientWebSocket();
        socket.Options.CollectHttpResponseDetails = collectDetails;
        await socket.ConnectAsync(WebSocketUri(path), Timeout());
        return socket;
    }

    private Uri WebSocketUri(string path) => new($"ws://127.0.0.1:{_gateway.BaseAddress.Port}{path}");

    private static HttpRequestMessage UpgradeRequest(string path, string protocol)
    {
        var request = new HttpRequestMessage(HttpMethod.Get, path);
        request.Headers.Connection.Add("Upgrade");
        request.Headers.Upgrade.ParseAdd(protocol);
        request.Headers.TryAddWithoutValidation("Sec-WebSocket-Key", Convert.ToBase64String(RandomNumberGenerator.GetBytes(16)));
        request.Headers.TryAddWithoutValidation("Sec-WebSocket-Version", "13");
        return request;
    }

    private static int PortOf(ClientWebSocket socket) =>
        int.Parse(socket.HttpResponseHeaders!["X-Gateway-Instance"].Single().Split(':')[1], System.Globalization.CultureInfo.InvariantCulture);

    private async Task<int> ActiveRequestsAsync(string service, int port) =>
        (await ServicesView.InstanceAsync(_client, service, port)).GetProperty("activeRequests").GetInt32();

    private static CancellationToken Timeout() => new CancellationTokenSource(Deadline).Token;

    private static Task SendTextAsync(WebSocket socket, string text) =>
        socket.SendAsync(Encoding.UTF8.GetBytes(text), WebSocketMessageType.Text, endOfMessage: true, Timeout());

    /// <summary>One whole message, however many frames it came in.</summary>
    internal static async Task<(WebSocketMessageType Type, byte[] Payload)> ReceiveMessageAsync(WebSocket socket)
    {
        using var message = new MemoryStream();
        var buffer = new byte[16 * 1024];
        while (true)
        {
            var received = await socket.ReceiveAsync(buffer, Timeout());
            message.Write(buffer, 0, received.Count);
            if (received.EndOfMessage)
            {
                return (received.MessageType, message.ToArray());
            }
        }
    }
}
