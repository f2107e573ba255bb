using System.Net;
using System.Text.Json;
using Gateway.IntegrationTests.Support;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;

namespace Gateway.IntegrationTests.Health;

/// <summary>
/// The contract's gateway endpoints <c>GET /</c> and <c>GET /services/{name}/health</c>, and the active checks' path
/// and interval as configured, on a fake clock.
/// </summary>
public sealed class StatusEndpointTests : IAsyncLifetime
{
    private static readonly TimeSpan Deadline = TimeSpan.FromSeconds(30);
    private static readonly TimeSpan Interval = TimeSpan.FromSeconds(7);

    private readonly FakeTimeProvider _clock = new(new DateTimeOffset(2026, 1, 1, 0, 0, 0, TimeSpan.Zero));
    private TestBackend _a = null!;
    private TestBackend _b = null!;
    private TestBackend _pinged = null!;
    private volatile bool _aHealthy = true;
    private volatile bool _bHealthy = true;
    private GatewayFactory _gateway = null!;
    private HttpClient _client = null!;

    public async Task InitializeAsync()
    {
        _a = await TestBackend.StartAsync("a");
        _b = await TestBackend.StartAsync("b");
        _pinged = await TestBackend.StartAsync("pinged");
        _a.ProbeHandler = context => Answer(context, _aHealthy);
        _b.ProbeHandler = context => Answer(context, _bHealthy);
        _gateway = new GatewayFactory()
            .WithService("svc", _a, _b)
            .WithService("pinged", _pinged)
            .With("Gateway:Services:pinged:HealthCheckPath", "/status/ping")
            .With("HEALTH_CHECK_INTERVAL", Interval.TotalSeconds.ToString(System.Globalization.CultureInfo.InvariantCulture))
            .WithServices(services => services.AddSingleton<TimeProvider>(_clock));
        _client = _gateway.CreateRawClient();
        await Eventually.TrueAsync(() => ServicesView.HasBeenCheckedAsync(_client, "svc", _b.Port), Deadline, "the first round");
    }

    public async Task DisposeAsync()
    {
        _client.Dispose();
        await _gateway.DisposeAsync();
        await _a.DisposeAsync();
        await _b.DisposeAsync();
        await _pinged.DisposeAsync();
    }

    [Fact]
    public async Task Root_GivesNameVersionStatusUptimeAndServiceCount()
    {
        using var root = JsonDocument.Parse(await _client.GetStringAsync("/"));

        var body = root.RootElement;
        body.GetProperty("name").GetString().ShouldBe("MSA Gateway");
        body.GetProperty("version").GetString().ShouldNotBeNullOrWhiteSpace();
        body.GetProperty("status").GetString().ShouldBe("running");
        body.GetProperty("uptime").GetDouble().ShouldBeGreaterThanOrEqualTo(0);
        body.GetProperty("services").GetInt32().ShouldBe(2);
        var links = body.GetProperty("links");
        links.GetProperty("health").GetString().ShouldBe("/health");
        links.GetProperty("services").GetString().ShouldBe("/services");
        links.GetProperty("metrics").GetString().ShouldBe("/metrics");
    }

    [Theory]
    [InlineData("/services?pretty", null)]
    [InlineData("/services", "text/plain")]
    public async Task Services_AskedForReadableText_IsTheSameJsonIndented(string path, string? accept)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, path);
        if (accept is not null)
        {
            request.Headers.Accept.ParseAdd(accept);
        }

        using var response = await _client.SendAsync(request);
        var indented = await response.Content.ReadAsStringAsync();
        var compact = await _client.GetStringAsync("/services");

        response.StatusCode.ShouldBe(HttpStatusCode.OK);
        indented.Split('\n').Length.ShouldBeGreaterThan(20);
        compact.ShouldNotContain("\n");
        using var readable = JsonDocument.Parse(indented);
        using var plain = JsonDocument.Parse(compact);
        JsonSerializer.Serialize(readable.RootElement.GetProperty("services")).ShouldBe(JsonSerializer.Serialize(plain.RootElement.GetProperty("services")));
    }

    [Theory]
    [InlineData("/metrics/x", "metrics")]
    [InlineData("/admin/services", "admin")]
    [InlineData("/events/anything", "events")]
    public async Task ReservedName_AsAService_Is404ProblemSayingItIsReserved(string path, string name)
    {
        using var response = await _client.GetAsync(path);

        response.StatusCode.ShouldBe(HttpStatusCode.NotFound);
        response.Content.Headers.ContentType?.MediaType.ShouldBe("application/problem+json");
        using var problem = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        problem.RootElement.GetProperty("detail").GetString().ShouldNotBeNull().ShouldContain($"'{name}' is reserved");
        _a.Received.ShouldBeEmpty();
    }

    [Fact]
    public async Task PathWithoutAServiceSegment_Is404_AndCountedAsNoRoute()
    {
        using var response = await _client.GetAsync(RawUri.For(_client.BaseAddress!, "//svc/x"));
        var metrics = await _client.GetStringAsync("/metrics");

        response.StatusCode.ShouldBe(HttpStatusCode.NotFound);
        metrics.ShouldContain("gateway_errors_total{reason=\"no_route\",status=\"404\"} 1");
    }

    [Fact]
    public async Task ServiceHealth_ShowsEveryInstanceAndWhetherAnyIsHealthy()
    {
        var service = await ServiceHealthAsync("svc");

        service.GetProperty("name").GetString().ShouldBe("svc");
        service.GetProperty("healthy").GetBoolean().ShouldBeTrue();
        var instances = service.GetProperty("instances").EnumerateArray().ToList();
        instances.Select(i => i.GetProperty("id").GetString()).ShouldBe([$"127.0.0.1:{_a.Port}", $"127.0.0.1:{_b.Port}"]);
        foreach (var instance in instances)
        {
            instance.GetProperty("host").GetString().ShouldBe("127.0.0.1");
            instance.GetProperty("scheme").GetString().ShouldBe("http");
            instance.GetProperty("weight").GetInt32().ShouldBe(1);
            instance.GetProperty("healthy").GetBoolean().ShouldBeTrue();
            instance.GetProperty("activeRequests").GetInt32().ShouldBe(0);
            var lastCheck = instance.GetProperty("lastCheck");
            lastCheck.GetProperty("at").GetDateTimeOffset().ShouldBe(_clock.GetUtcNow());
            lastCheck.GetProperty("healthy").GetBoolean().ShouldBeTrue();
            lastCheck.GetProperty("durationMs").GetDouble().ShouldBeGreaterThanOrEqualTo(0);
            lastCheck.GetProperty("error").ValueKind.ShouldBe(JsonValueKind.Null);
        }
    }

    [Fact]
    public async Task ServiceHealth_IsHealthyWhileAnyInstanceIs()
    {
        _aHealthy = false;
        await NextRoundAsync();
        var oneDown = await ServiceHealthAsync("svc");

        _bHealthy = false;
        await NextRoundAsync();
        var bothDown = await ServiceHealthAsync("svc");

        oneDown.GetProperty("healthy").GetBoolean().ShouldBeTrue();
        oneDown.GetProperty("instances").EnumerateArray().Select(i => i.GetProperty("healthy").GetBoolean()).ShouldBe([false, true]);
        bothDown.GetProperty("healthy").GetBoolean().ShouldBeFalse();
        bothDown.GetProperty("instances")[1].GetProperty("lastCheck").GetProperty("error").GetString().ShouldBe("answered 500");
    }

    [Fact]
    public async Task ServiceHealth_UnknownService_Is404Problem()
    {
        using var response = await _client.GetAsync("/services/no-such-service/health");

        response.StatusCode.ShouldBe(HttpStatusCode.NotFound);
        response.Content.Headers.ContentType!.MediaType.ShouldBe("application/problem+json");
        using var problem = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        problem.RootElement.GetProperty("status").GetInt32().ShouldBe(404);
        problem.RootElement.GetProperty("service").GetString().ShouldBe("no-such-service");
    }

    [Theory]
    [InlineData("/")]
    [InlineData("/health")]
    [InlineData("/services")]
    [InlineData("/services/svc/health")]
    public async Task GatewayEndpoints_AnswerHeadAsGet(string path)
    {
        using var response = await _client.SendAsync(new HttpRequestMessage(HttpMethod.Head, path));

        response.StatusCode.ShouldBe(HttpStatusCode.OK);
        response.Content.Headers.ContentType!.MediaType.ShouldBe("application/json");
    }

    [Theory]
    [InlineData("POST", "/")]
    [InlineData("POST", "/health")]
    [InlineData("DELETE", "/services")]
    [InlineData("PUT", "/services/svc/health")]
    public async Task GatewayEndpoints_OtherMethods_Are405ProblemsNamingGetAndHead(string method, string path)
    {
        using var response = await _client.SendAsync(new HttpRequestMessage(new HttpMethod(method), path) { Content = new StringContent("{}") });

        response.StatusCode.ShouldBe(HttpStatusCode.MethodNotAllowed);
        response.Content.Headers.Allow.ShouldBe(["GET", "HEAD"]);
        response.Content.Headers.ContentType!.MediaType.ShouldBe("application/problem+json");
        _a.Received.ShouldBeEmpty();
        _b.Received.ShouldBeEmpty();
    }

    [Fact]
    public async Task ActiveChecks_RequestTheServicesHealthCheckPath_EveryConfiguredInterval()
    {
        var probesAtStart = _pinged.Probes.Count;

        _clock.Advance(Interval);
        await Eventually.TrueAsync(() => _pinged.Probes.Count > probesAtStart, Deadline, "a round one configured interval later");

        _pinged.Probes.ShouldAllBe(probe => probe.Method == "GET" && probe.RawTarget == "/status/ping");
        _a.Probes.ShouldAllBe(probe => probe.RawTarget == "/health");
    }

    private static Task Answer(HttpContext context, bool healthy)
    {
        context.Response.StatusCode = healthy ? StatusCodes.Status200OK : StatusCodes.Status500InternalServerError;
        return Task.CompletedTask;
    }

    /// <summary>Moves the clock one interval on and waits until that round's results are in.</summary>
    private async Task NextRoundAsync()
    {
        _clock.Advance(Interval);
        await Eventually.TrueAsync(
            async () => await CheckedNowAsync(_a.Port) && await CheckedNowAsync(_b.Port), Deadline, "the round to finish");
    }

    private async Task<bool> CheckedNowAsync(int port) =>
        (await ServicesView.InstanceAsync(_client, "svc", port)).GetProperty("lastCheck").GetProperty("at").GetDateTimeOffset()
        == _clock.GetUtcNow();

    private async Task<JsonElement> ServiceHealthAsync(string name)
    {
        using var response = await _client.GetAsync($"/services/{name}/health");
        response.StatusCode.ShouldBe(HttpStatusCode.OK);
        using var document = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        return document.RootElement.Clone();
    }
}
