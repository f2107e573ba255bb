using System.Globalization;
using System.Net;
using System.Text;
using System.Text.Json;
using Gateway.IntegrationTests.Support;

namespace Gateway.IntegrationTests.Reliability;

/// <summary>
/// Every broken answer of an instance is a 502 that counts against it; input of the client's own that cannot be
/// forwarded is a 400 that counts against nobody.
/// </summary>
public sealed class FaultAttributionTests : IAsyncLifetime
{
    private readonly List<ScriptedServer> _servers = [];
    private TestBackend _healthy = null!;

    public async Task InitializeAsync() => _healthy = await TestBackend.StartAsync();

    public async Task DisposeAsync()
    {
        await _healthy.DisposeAsync();
        foreach (var server in _servers)
        {
            await server.DisposeAsync();
        }
    }

    [Theory]
    [InlineData("two lengths", "HTTP/1.1 200 OK\r\nContent-Length: 5\r\nContent-Length: 6\r\n\r\nhello!")]
    [InlineData("a control byte", "HTTP/1.1 200 OK\r\nX-Bad: a\u0001b\r\nContent-Length: 5\r\n\r\nhello")]
    [InlineData("raw UTF-8", "HTTP/1.1 200 OK\r\nX-Name: Jos\u00c3\u00a9\r\nContent-Length: 5\r\n\r\nhello")]
    [InlineData("no HTTP at all", "SSH-2.0-OpenSSH_9.2\r\n\r\n")]
    public async Task InstanceAnswer_Invalid_Gets502ProblemNamingTheInstance_AndCountsAgainstIt(string what, string answer)
    {
        var broken = Scripted(answer);
        await using var gateway = Gateway(broken.Port);
        using var client = gateway.CreateRawClient();

        using var response = await client.GetAsync("/broken/x");

        response.StatusCode.ShouldBe(HttpStatusCode.BadGateway, what);
        response.Content.Headers.ContentType?.MediaType.ShouldBe("application/problem+json");
        var detail = JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement.GetProperty("detail").GetString();
        detail.ShouldNotBeNull().ShouldContain($"127.0.0.1:{broken.Port}");
        var instance = await ServicesView.InstanceAsync(client, "broken", broken.Port);
        instance.GetProperty("consecutivePassiveFailures").GetInt32().ShouldBe(1, what);
    }

    [Fact]
    public async Task InstanceAnswer_BothFramings_IsReadByItsChunks()
    {
        var both = Scripted("HTTP/1.1 200 OK\r\nContent-Length: 100\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhello\r\n0\r\n\r\n");
        await using var gateway = Gateway(both.Port);
        using var client = gateway.CreateRawClient();

        using var response = await client.GetAsync("/broken/x");

        response.StatusCode.ShouldBe(HttpStatusCode.OK);
        (await response.Content.ReadAsStringAsync()).ShouldBe("hello");
        response.Content.Headers.ContentLength.ShouldNotBe(100);
    }

    [Fact]
    public async Task InstanceBody_EndingEarly_ClosesTheClientsConnection_AndCountsAgainstTheInstance()
    {
        var early = Scripted("HTTP/1.1 200 OK\r\nContent-Length: 100\r\n\r\nhello");
        await using var gateway = Gateway(early.Port);
        using var client = gateway.CreateRawClient();

        // The 100 bytes announced never come: the client must see a failure, not a short body passed as whole.
        await Should.ThrowAsync<HttpRequestException>(async () =>
        {
            using var response = await client.GetAsync("/broken/x");
        });

        var instance = await ServicesView.InstanceAsync(client, "broken", early.Port);
        instance.GetProperty("consecutivePassiveFailures").GetInt32().ShouldBe(1);
    }

    [Fact]
    public async Task RequestHeader_WithRawUtf8_Gets400_ReachesNoInstance_AndLeavesEveryCircuitClosed()
    {
        await using var gateway = new GatewayFactory()
            .With("Gateway:Resilience:FailureThreshold", "2")
            .With("Gateway:HealthChecks:PassiveFailureThreshold", "2")
            .WithService("svc", _healthy);

        for (var i = 0; i < 5; i++)
        {
            var answer = await RawConnection.SendAsync(
                gateway.BaseAddress,
                "GET /svc/x HTTP/1.1\r\nHost: gateway\r\nX-Name: Jos\u00e9\r\nConnection: close\r\n\r\n",
                Encoding.UTF8);
            answer.StatusCode.ShouldBe(400, answer.Text);
            answer.Text.ShouldContain("application/problem+json");
            answer.Text.ShouldContain("X-Name");
        }

        _healthy.Received.ShouldBeEmpty();
        using var client = gateway.CreateRawClient();
        var instance = await ServicesView.InstanceAsync(client, "svc", _healthy.Port);
        instance.GetProperty("circuit").GetString().ShouldBe("closed");
        instance.GetProperty("consecutivePassiveFailures").GetInt32().ShouldBe(0);
    }

    [Fact]
    public async Task OriginFormConnect_Gets400_AndReachesNoInstance()
    {
        await using var gateway = new GatewayFactory().WithService("svc", _healthy);

        var answer = await RawConnection.SendAsync(gateway.BaseAddress, "CONNECT /svc/x HTTP/1.1\r\nHost: gateway\r\nConnection: close\r\n\r\n");

        answer.StatusCode.ShouldBe(400, answer.Text);
        _healthy.Received.ShouldBeEmpty();
    }

    private ScriptedServer Scripted(string answer)
    {
        var server = ScriptedServer.Start(answer);
        _servers.Add(server);
        return server;
    }

    private static GatewayFactory Gateway(int brokenPort) => new GatewayFactory()
        .With("Gateway:HealthChecks:UnhealthyThreshold", "1000")
        .With("Gateway:Services:broken:Instances:0:Host", "127.0.0.1")
        .With("Gateway:Services:broken:Instances:0:Port", brokenPort.ToString(CultureInfo.InvariantCulture));
}
