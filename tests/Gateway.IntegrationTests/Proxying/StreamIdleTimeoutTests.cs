using System.Net;
using System.Net.WebSockets;
using System.Text;
using Gateway.IntegrationTests.Support;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;

namespace Gateway.IntegrationTests.Proxying;

/// <summary>STREAM_IDLE_TIMEOUT: no byte either way for that long closes a WebSocket or a streaming response.</summary>
public sealed class StreamIdleTimeoutTests : IAsyncLifetime
{
    private static readonly TimeSpan Deadline = TimeSpan.FromSeconds(30);

    private WebSocketBackend _sockets = null!;
    private TestBackend _backend = null!;

    public async Task InitializeAsync()
    {
        _sockets = await WebSocketBackend.StartAsync();
        _backend = await TestBackend.StartAsync();
    }

    public async Task DisposeAsync()
    {
        await _sockets.DisposeAsync();
        await _backend.DisposeAsync();
    }

    [Fact]
    public async Task IdleWebSocket_IsClosedOnBothSides()
    {
        await using var gateway = new GatewayFactory()
            .With("STREAM_IDLE_TIMEOUT", "1")
            .WithServicePorts("ws", "round_robin", _sockets.Port);
        using var socket = new ClientWebSocket();
        await socket.ConnectAsync(new Uri($"ws://127.0.0.1:{gateway.BaseAddress.Port}/ws/echo"), Timeout());

        var receiving = socket.ReceiveAsync(new byte[64], Timeout());

        await Should.ThrowAsync<WebSocketException>(async () => await receiving);
        await Eventually.TrueAsync(() => _sockets.Open == 0, Deadline, "the instance's socket was closed too");
    }

    [Fact]
    public async Task ServiceStreamIdleTimeout_OverridesTheGatewayDefault()
    {
        await using var gateway = new GatewayFactory()
            .WithServicePorts("ws", "round_robin", _sockets.Port)
            .With("Gateway:Services:ws:StreamIdleTimeout", "1");
        using var socket = new ClientWebSocket();
        await socket.ConnectAsync(new Uri($"ws://127.0.0.1:{gateway.BaseAddress.Port}/ws/echo"), Timeout());

        await Should.ThrowAsync<WebSocketException>(async () => await socket.ReceiveAsync(new byte[64], Timeout()));
    }

    [Fact]
    public async Task WebSocketWithTraffic_OutlivesTheTimeout()
    {
        // The gateway's clock moves only when the test moves it: 1.5 s after each echo, eighteen seconds in all
        // against a 2 s timeout, with no gap as long as the timeout however slowly this machine runs.
        var clock = new FakeTimeProvider(DateTimeOffset.UnixEpoch);
        await using var gateway = new GatewayFactory()
            .With("STREAM_IDLE_TIMEOUT", "2")
            .WithServicePorts("ws", "round_robin", _sockets.Port)
            .WithServices(services => services.AddSingleton<TimeProvider>(clock));
        using var socket = new ClientWebSocket();
        await socket.ConnectAsync(new Uri($"ws://127.0.0.1:{gateway.BaseAddress.Port}/ws/echo"), Timeout());

        for (var i = 0; i < 12; i++)
        {
            await socket.SendAsync(Encoding.UTF8.GetBytes($"m{i}"), WebSocketMessageType.Text, true, Timeout());
            var (_, payload) = await WebSocketTests.ReceiveMessageAsync(socket);
            Encoding.UTF8.GetString(payload).ShouldBe($"m{i}");
            clock.Advance(TimeSpan.FromSeconds(1.5));
        }

        socket.State.ShouldBe(WebSocketState.Open);
        _sockets.Open.ShouldBe(1);
    }

    [Fact]
    public async Task StuckStreamingResponse_IsCutOff_WithoutBlamingTheInstance()
    {
        _backend.Handler = async context =>
        {
            await context.Response.WriteAsync("data: first\n\n", context.RequestAborted);
            await context.Response.Body.FlushAsync(context.RequestAborted);
            await Task.Delay(System.Threading.Timeout.InfiniteTimeSpan, context.RequestAborted);
        };
        await using var gateway = new GatewayFactory()
            .With("STREAM_IDLE_TIMEOUT", "1")
            .With("REQUEST_TIMEOUT", "30")
            .WithService("svc", _backend);
        using var client = gateway.CreateRawClient();

        using var response = await client.GetAsync("/svc/events", HttpCompletionOption.ResponseHeadersRead, Timeout());
        response.StatusCode.ShouldBe(HttpStatusCode.OK);
        await using var body = await response.Content.ReadAsStreamAsync(Timeout());
        var buffer = new byte[1024];
        var read = await body.ReadAsync(buffer, Timeout());
        Encoding.UTF8.GetString(buffer, 0, read).ShouldBe("data: first\n\n");

        await Should.ThrowAsync<IOException>(async () => _ = await body.ReadAsync(buffer, Timeout()));
        var instance = await ServicesView.InstanceAsync(client, "svc", _backend.Port);
        instance.GetProperty("healthy").GetBoolean().ShouldBeTrue();
        instance.GetProperty("activeRequests").GetInt32().ShouldBe(0);
    }

    private static CancellationToken Timeout() => new CancellationTokenSource(Deadline).Token;
}
