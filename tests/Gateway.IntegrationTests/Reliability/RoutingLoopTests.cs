using System.Globalization;
using System.Net;
using System.Text.Json;
using Gateway.IntegrationTests.Support;

namespace Gateway.IntegrationTests.Reliability;

/// <summary>A request that comes back to the gateway it passed through is stopped with 508, not forwarded again.</summary>
public sealed class RoutingLoopTests : IAsyncLifetime
{
    private static readonly TimeSpan Deadline = TimeSpan.FromSeconds(30);

    private readonly List<string> _files = [];
    private readonly int _portA = Ports.Unused();
    private readonly int _portB = Ports.Unused();
    private GatewayProcess _a = null!;
    private GatewayProcess _b = null!;
    private TestBackend _backend = null!;

    public async Task InitializeAsync()
    {
        _backend = await TestBackend.StartAsync();
        // Each routes "loop" to the other; B also has a real service, to show that Via passes on normally.
        _a = Start(_portA, $$"""{ "loop": { "Instances": [ { "Host": "127.0.0.1", "Port": {{_portB}} } ] } }""");
        _b = Start(_portB, $$"""
            {
              "loop": { "Instances": [ { "Host": "127.0.0.1", "Port": {{_portA}} } ] },
              "svc": { "Instances": [ { "Host": "127.0.0.1", "Port": {{_backend.Port}} } ] }
            }
            """);
        foreach (var port in new[] { _portA, _portB })
        {
            using var client = Client(port);
            // Through the other gateway: once it is up, and its health check has seen it up.
            await Eventually.TrueAsync(() => AnswersAsync(client, "/loop/health"), Deadline, $"the gateway on {port} to reach the other");
        }
    }

    public async Task DisposeAsync()
    {
        await _a.DisposeAsync();
        await _b.DisposeAsync();
        await _backend.DisposeAsync();
        _files.ForEach(File.Delete);
    }

    [Fact]
    public async Task LoopThroughASecondGateway_Gets508ProblemAtOnce_AndDescriptorsReturnToBaseline()
    {
        using var client = Client(_portA);
        await AnswersAsync(client, "/health");
        var baselineA = _a.OpenDescriptors;
        var baselineB = _b.OpenDescriptors;

        // Without detection, each hop would strip one segment and go round again: 1,000 hops, two sockets each.
        var path = string.Concat(Enumerable.Repeat("/loop", 1000)) + "/x";
        using var response = await client.GetAsync(path);

        response.StatusCode.ShouldBe(HttpStatusCode.LoopDetected);
        response.Content.Headers.ContentType?.MediaType.ShouldBe("application/problem+json");
        using var problem = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        problem.RootElement.GetProperty("status").GetInt32().ShouldBe(508);
        // A, then B, then A again: A recognised itself on the second pass.
        response.Headers.GetValues("X-Gateway-Instance").ShouldBe([$"127.0.0.1:{_portB}"]);
        await Eventually.TrueAsync(
            () => _a.OpenDescriptors <= baselineA + 4 && _b.OpenDescriptors <= baselineB + 4,
            Deadline,
            "descriptors back near their baseline (a pooled upstream connection each may stay)");
    }

    [Fact]
    public async Task RequestThroughOneGateway_ReachesTheInstanceWithTheGatewaysViaEntry_WithoutTheHost()
    {
        using var client = Client(_portB);
        using var request = new HttpRequestMessage(HttpMethod.Get, "/svc/echo");
        request.Headers.TryAddWithoutValidation("Via", "1.0 edge-proxy");

        using var response = await client.SendAsync(request);

        response.StatusCode.ShouldBe(HttpStatusCode.OK);
        var via = string.Join(", ", _backend.Received.Last().Headers["Via"]);
        via.ShouldStartWith("1.0 edge-proxy, 1.1 ");
        via.ShouldNotContain("127.0.0.1");
        via.ShouldNotContain(_portB.ToString(CultureInfo.InvariantCulture));
        via.ShouldNotContain(Environment.MachineName);
    }

    private GatewayProcess Start(int port, string registry)
    {
        var file = Path.GetTempFileName();
        File.WriteAllText(file, registry);
        _files.Add(file);
        return GatewayProcess.Start(new Dictionary<string, string>
        {
            ["GATEWAY_HOST"] = "127.0.0.1",
            ["GATEWAY_PORT"] = port.ToString(CultureInfo.InvariantCulture),
            ["GATEWAY_REGISTRY_FILE"] = file,
            ["LOG_LEVEL"] = "Warning",
            // Each starts before the other answers: the next round of checks must come soon.
            ["HEALTH_CHECK_INTERVAL"] = "1",
        });
    }

    private static HttpClient Client(int port) =>
        new() { BaseAddress = new Uri($"http://127.0.0.1:{port}"), Timeout = Deadline };

    private static async Task<bool> AnswersAsync(HttpClient client, string path)
    {
        try
        {
            using var response = await client.GetAsync(path);
            return response.IsSuccessStatusCode;
        }
        catch (HttpRequestException)
        {
            return false;
        }
    }
}
