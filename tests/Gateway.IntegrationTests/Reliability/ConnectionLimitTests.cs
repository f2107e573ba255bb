using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Text;
using Gateway.IntegrationTests.Support;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;

namespace Gateway.IntegrationTests.Reliability;

/// <summary>No client can take the descriptors the gateway needs: connections are capped, idle ones closed.</summary>
public sealed class ConnectionLimitTests
{
    private static readonly TimeSpan Deadline = TimeSpan.FromSeconds(30);
    private static readonly byte[] HealthRequest = Encoding.ASCII.GetBytes("GET /health HTTP/1.1\r\nHost: gateway\r\n\r\n");

    [Fact]
    public async Task LowDescriptorLimit_MoreIdleConnectionsThanDescriptors_GatewayStaysUpAndAnswersHealth()
    {
        var port = Ports.Unused();
        var registry = Path.GetTempFileName();
        await File.WriteAllTextAsync(registry, $$"""{ "svc": { "Instances": [ { "Host": "127.0.0.1", "Port": {{Ports.Dead()}} } ] } }""");
        var environment = new Dictionary<string, string>
        {
            ["GATEWAY_HOST"] = "127.0.0.1",
            ["GATEWAY_PORT"] = port.ToString(CultureInfo.InvariantCulture),
            ["GATEWAY_REGISTRY_FILE"] = registry,
            ["LOG_LEVEL"] = "Information",
        };
        await using var gateway = GatewayProcess.Start(environment, descriptorLimit: 1024);
        using var client = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{port}"), Timeout = TimeSpan.FromSeconds(10) };
        await Eventually.TrueAsync(async () => gateway.HasExited || await AnswersHealthAsync(client), Deadline, "start-up");

        var idle = new List<Socket>();
        try
        {
            for (var i = 0; i < 1300; i++)
            {
                var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
                idle.Add(socket);
                await socket.ConnectAsync(IPAddress.Loopback, port);
            }

            (await AnswersHealthAsync(client)).ShouldBeTrue(Describe(gateway));
            // (1024 - 128) / 2 = 448 may stay open; the gateway closed the oldest of the others to make room.
            await Eventually.TrueAsync(() => idle.Count(ClosedByPeer) >= 1300 - 448, Deadline, "the excess idle connections to be closed");
            gateway.HasExited.ShouldBeFalse(Describe(gateway));
            gateway.StandardOutput.ShouldContain(line => line.Contains("at most 448", StringComparison.Ordinal)
                && line.Contains("open-file limit 1024", StringComparison.Ordinal));
        }
        finally
        {
            idle.ForEach(socket => socket.Dispose());
            File.Delete(registry);
        }
    }

    [Fact]
    public async Task ConnectionLimitReached_ByConnectionsThatSentRequests_NewConnectionIsClosedAtOnce()
    {
        await using var gateway = new GatewayFactory().With("GATEWAY_MAX_CONNECTIONS", "3");
        var port = gateway.BaseAddress.Port;
        var busy = new List<Socket>();
        try
        {
            for (var i = 0; i < 3; i++)
            {
                busy.Add(await ConnectAndAskHealthAsync(port));
            }

            using var refused = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
            await refused.ConnectAsync(IPAddress.Loopback, port);
            (await ReceiveAsync(refused, HealthRequest)).ShouldBe(0, "closed without an answer");

            busy[0].Dispose();
            // The slot is free once the gateway has seen that connection close, which it learns on its own time: a
            // connection made before then is refused like the one above.
            Socket? later = null;
            try
            {
                await Eventually.TrueAsync(
                    async () =>
                    {
                        later?.Dispose();
                        later = await TryConnectAndAskHealthAsync(port);
                        return later is not null;
                    },
                    Deadline,
                    "a connection to be served once one of the three closed");
            }
            finally
            {
                later?.Dispose();
            }
        }
        finally
        {
            busy.ForEach(socket => socket.Dispose());
        }
    }

    [Fact]
    public async Task ConnectionThatSendsNoRequest_IsClosedAfterTheRequestHeadersTimeout_OthersStay()
    {
        var clock = new FakeTimeProvider(DateTimeOffset.UtcNow);
        await using var gateway = new GatewayFactory().WithServices(services => services.AddSingleton<TimeProvider>(clock));
        var port = gateway.BaseAddress.Port;
        using var idle = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        await idle.ConnectAsync(IPAddress.Loopback, port);
        using var used = await ConnectAndAskHealthAsync(port);

        // Kestrel's default request-headers timeout is 30 s; the limiter checks every second.
        await Eventually.TrueAsync(
            () =>
            {
                clock.Advance(TimeSpan.FromSeconds(1));
                return ClosedByPeer(idle);
            },
            Deadline,
            "the idle connection to be closed");

        (await ReceiveAsync(used, HealthRequest)).ShouldBeGreaterThan(0, "a connection that sent a request stays open");
    }

    private static async Task<Socket> ConnectAndAskHealthAsync(int port) =>
        await TryConnectAndAskHealthAsync(port) ?? throw new ShouldAssertException("the gateway closed the connection without answering");

    /// <summary>A connection that was answered, or null when the gateway closed it without an answer.</summary>
    private static async Task<Socket?> TryConnectAndAskHealthAsync(int port)
    {
        var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        await socket.ConnectAsync(IPAddress.Loopback, port);
        if (await ReceiveAsync(socket, HealthRequest) > 0)
        {
            return socket;
        }

        socket.Dispose();
        return null;
    }

    /// <summary>Sends <paramref name="request"/> and reads once: the bytes of the answer, or 0 when the peer closed.</summary>
    private static async Task<int> ReceiveAsync(Socket socket, byte[] request)
    {
        using var timeout = new CancellationTokenSource(Deadline);
        try
        {
            await socket.SendAsync(request, SocketFlags.None, timeout.Token);
        }
        catch (SocketException)
        {
            return 0;
        }

        var buffer = new byte[4096];
        try
        {
            return await socket.ReceiveAsync(buffer, SocketFlags.None, timeout.Token);
        }
        catch (SocketException)
        {
            return 0;
        }
    }

    /// <summary>Whether the peer has closed the connection: readable with nothing to read.</summary>
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

    private static async Task<bool> AnswersHealthAsync(HttpClient client)
    {
        try
        {
            using var response = await client.GetAsync("/health");
            return response.StatusCode == HttpStatusCode.OK;
        }
        catch (HttpRequestException)
        {
            return false;
        }
    }

    private static string Describe(GatewayProcess gateway) =>
        $"exited: {gateway.HasExited}; stderr: {string.Join('\n', gateway.StandardError)}; stdout tail: "
        + string.Join('\n', gateway.StandardOutput.TakeLast(10));
}
