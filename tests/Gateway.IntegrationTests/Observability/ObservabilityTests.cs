using System.Text.RegularExpressions;
using Gateway.IntegrationTests.Support;
using Microsoft.Extensions.DependencyInjection;
using Serilog.Core;

namespace Gateway.IntegrationTests.Observability;

/// <summary>Metrics at /metrics, trace context passed on, and request logs that carry the trace id and no secrets.</summary>
public sealed class ObservabilityTests : IAsyncLifetime
{
    private readonly CapturingSink _logs = new();
    private TestBackend _a = null!;
    private TestBackend _b = null!;
    private GatewayFactory _gateway = null!;
    private HttpClient _client = null!;

    public async Task InitializeAsync()
    {
        _a = await TestBackend.StartAsync("a");
        _b = await TestBackend.StartAsync("b");
        _gateway = new GatewayFactory()
            .WithService("svc", _a, _b)
            .With("LOG_LEVEL", "Information")
            .WithServices(services => services.AddSingleton<ILogEventSink>(_logs));
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
    public async Task Metrics_AfterProxiedRequests_CountThemPerInstanceAndStatusClass()
    {
        for (var i = 0; i < 3; i++)
        {
            (await _client.GetAsync("/svc/items")).Dispose();
        }

        (await _client.PostAsync("/svc/items", new StringContent("x"))).Dispose();
        var metrics = await _client.GetStringAsync("/metrics");

        Sample(metrics, "gateway_requests_total", $"instance=\"127.0.0.1:{_a.Port}\",method=\"GET\",service=\"svc\",status_class=\"2xx\"").ShouldBe(2);
        Sample(metrics, "gateway_requests_total", $"instance=\"127.0.0.1:{_b.Port}\",method=\"GET\",service=\"svc\",status_class=\"2xx\"").ShouldBe(1);
        Sample(metrics, "gateway_requests_total", $"instance=\"127.0.0.1:{_b.Port}\",method=\"POST\",service=\"svc\",status_class=\"2xx\"").ShouldBe(1);
        Sample(metrics, "gateway_upstream_duration_seconds_count", $"instance=\"127.0.0.1:{_a.Port}\",service=\"svc\"").ShouldBe(2);
        Sample(metrics, "gateway_instance_healthy", $"instance=\"127.0.0.1:{_a.Port}\",service=\"svc\"").ShouldBe(1);
        Sample(metrics, "gateway_requests_active", $"instance=\"127.0.0.1:{_a.Port}\",service=\"svc\"").ShouldBe(0);
    }

    [Fact]
    public async Task Metrics_GatewaysOwn_ReadAsPrometheusTypesWithTheirHelp()
    {
        (await _client.GetAsync("/svc/items")).Dispose();
        (await _client.GetAsync("/made-up-service/x")).Dispose();

        var metrics = await _client.GetStringAsync("/metrics");

        Type(metrics, "gateway_requests_total").ShouldBe("counter");
        Help(metrics, "gateway_requests_total").ShouldBe("Requests proxied to an instance, by the status class of its answer.");
        Type(metrics, "gateway_upstream_duration_seconds").ShouldBe("histogram");
        Sample(metrics, "gateway_upstream_duration_seconds_bucket", $"instance=\"127.0.0.1:{_a.Port}\",service=\"svc\",le=\"0.001\"").ShouldBeGreaterThanOrEqualTo(0);
        Sample(metrics, "gateway_upstream_duration_seconds_bucket", $"instance=\"127.0.0.1:{_a.Port}\",service=\"svc\",le=\"30\"").ShouldBe(1);
        Type(metrics, "gateway_errors_total").ShouldBe("counter");
        Type(metrics, "gateway_requests_active").ShouldBe("gauge");
        Type(metrics, "gateway_instance_healthy").ShouldBe("gauge");
        Type(metrics, "gateway_instance_available").ShouldBe("gauge");
    }

    [Fact]
    public async Task Metrics_EveryFamily_IsNamedAndDescribedTheWayPrometheusReadsIt()
    {
        var metrics = await ScrapeAfterOneRequestAsync(
            "System.Runtime,Microsoft.AspNetCore.Server.Kestrel,Microsoft.AspNetCore.Hosting,System.Net.Http");

        var families = Regex.Matches(metrics, "^# TYPE (\\S+) (\\S+)$", RegexOptions.Multiline);
        families.Count.ShouldBeGreaterThan(10);
        foreach (Match family in families)
        {
            var (name, type) = (family.Groups[1].Value, family.Groups[2].Value);
            if (type == "counter")
            {
                name.ShouldEndWith("_total");
            }

            var words = name.Split('_');
            words.Zip(words.Skip(1)).ShouldNotContain(pair => pair.First == pair.Second, $"{name} repeats a word");
            Help(metrics, name).ShouldNotBeNullOrWhiteSpace();
            Help(metrics, name).ShouldNotMatch("System\\.|`\\d|Int64|Double", $"the help of {name} names a .NET type");
        }
    }

    [Fact]
    public async Task Metrics_TwoGatewaysInOneProcess_CountOnlyTheirOwnRequests()
    {
        await using var other = new GatewayFactory().WithService("svc", _a);
        using var otherClient = other.CreateRawClient();

        (await otherClient.GetAsync("/svc/items")).Dispose();

        Sample(await otherClient.GetStringAsync("/metrics"), "gateway_requests_total", $"instance=\"127.0.0.1:{_a.Port}\",method=\"GET\",service=\"svc\",status_class=\"2xx\"").ShouldBe(1);
        (await _client.GetStringAsync("/metrics")).ShouldNotContain("\ngateway_requests_total{");
    }

    [Fact]
    public async Task Metrics_ByDefault_ExportTheRuntimeAndKestrelButNotTheFrameworksPerRequestMeters()
    {
        (await _client.GetAsync("/svc/items")).Dispose();

        var metrics = await _client.GetStringAsync("/metrics");

        Type(metrics, "dotnet_gc_heap_total_allocated_bytes_total").ShouldBe("counter");
        Sample(metrics, "dotnet_gc_heap_total_allocated_bytes_total", "").ShouldBeGreaterThan(0);
        Type(metrics, "dotnet_gc_collections_total").ShouldBe("counter");
        Sample(metrics, "dotnet_gc_collections_total", "gc_heap_generation=\"gen0\"").ShouldBeGreaterThanOrEqualTo(0);
        Type(metrics, "kestrel_active_connections").ShouldBe("gauge");
        metrics.ShouldNotContain("\nhttp_server_");
        metrics.ShouldNotContain("\nhttp_client_");
        metrics.ShouldNotContain("\naspnetcore_memory_pool_");
    }

    [Fact]
    public async Task Metrics_MetersNamedInTheSetting_AreExportedToo()
    {
        var metrics = await ScrapeAfterOneRequestAsync("Microsoft.AspNetCore.Hosting,System.Net.Http");

        Sample(metrics, "gateway_requests_total", $"instance=\"127.0.0.1:{_a.Port}\",method=\"GET\",service=\"svc\",status_class=\"2xx\"").ShouldBe(1);
        Type(metrics, "http_server_request_duration_seconds").ShouldBe("histogram");
        Type(metrics, "http_client_request_duration_seconds").ShouldBe("histogram");
        metrics.ShouldNotContain("\ndotnet_");
    }

    [Fact]
    public async Task Metrics_UnknownServiceOrMadeUpMethod_CreateNoSeriesOfTheirOwn()
    {
        (await _client.GetAsync("/made-up-service-7f3a/x")).Dispose();
        (await _client.SendAsync(new HttpRequestMessage(new HttpMethod("BREW"), "/svc/pot"))).Dispose();

        var metrics = await _client.GetStringAsync("/metrics");

        metrics.ShouldNotContain("made-up-service-7f3a");
        metrics.ShouldNotContain("BREW");
        Sample(metrics, "gateway_errors_total", "reason=\"unknown_service\",status=\"404\"").ShouldBe(1);
        Sample(metrics, "gateway_requests_total", $"instance=\"127.0.0.1:{_a.Port}\",method=\"OTHER\",service=\"svc\",status_class=\"2xx\"").ShouldBe(1);
    }

    [Fact]
    public async Task Traceparent_FromTheClient_ReachesTheInstanceInTheSameTrace()
    {
        const string traceId = "0af7651916cd43dd8448eb211c80319c";
        using var request = new HttpRequestMessage(HttpMethod.Get, "/svc/traced");
        request.Headers.TryAddWithoutValidation("traceparent", $"00-{traceId}-b7ad6b7169203331-01");

        using var response = await _client.SendAsync(request);

        var sent = _a.Received.ShouldHaveSingleItem().Headers["traceparent"].ShouldHaveSingleItem();
        sent.ShouldStartWith($"00-{traceId}-");
        sent.ShouldNotContain("b7ad6b7169203331", customMessage: "the gateway's own span is the instance's parent");
        sent.ShouldEndWith("-01", customMessage: "the caller's decision to sample the trace goes on with it");
        response.Headers.GetValues("X-Trace-Id").ShouldBe([traceId]);
    }

    [Fact]
    public async Task RequestWithoutTraceparent_StartsATraceThatReachesTheInstance()
    {
        using var response = await _client.GetAsync("/svc/untraced");

        var sent = _a.Received.ShouldHaveSingleItem().Headers["traceparent"].ShouldHaveSingleItem();
        var traceId = response.Headers.GetValues("X-Trace-Id").ShouldHaveSingleItem();
        traceId.ShouldMatch("^[0-9a-f]{32}$");
        sent.ShouldStartWith($"00-{traceId}-");
        sent.ShouldEndWith("-00", customMessage: "nothing here records the trace, so the gateway does not claim to");
    }

    [Fact]
    public async Task GatewayProblem_CarriesTheTraceIdInBodyAndHeader()
    {
        using var response = await _client.GetAsync("/nowhere/x");

        var traceId = response.Headers.GetValues("X-Trace-Id").ShouldHaveSingleItem();
        (await response.Content.ReadAsStringAsync()).ShouldContain($"\"traceId\":\"{traceId}\"");
    }

    [Fact]
    public async Task RequestLog_HasTheTraceIdAndRequestDetails_AndNoSecrets()
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, "/svc/orders/42?token=query-secret-9");
        request.Headers.TryAddWithoutValidation("Authorization", "Bearer header-secret-123");
        request.Headers.TryAddWithoutValidation("Cookie", "session=cookie-secret-456");
        _a.Handler = context =>
        {
            context.Response.Headers.SetCookie = "id=set-cookie-secret-789";
            return TestBackend.DefaultHandler(context);
        };

        using var response = await _client.SendAsync(request);
        var traceId = response.Headers.GetValues("X-Trace-Id").Single();
        await Eventually.TrueAsync(() => _logs.Events.Any(e => e.TraceId?.ToHexString() == traceId), TimeSpan.FromSeconds(10));

        var line = _logs.Events.Single(e => e.TraceId?.ToHexString() == traceId && e.Properties.ContainsKey("StatusCode"));
        line.Properties["Service"].ToString().ShouldBe("\"svc\"");
        line.Properties["InstanceId"].ToString().ShouldBe($"\"127.0.0.1:{_a.Port}\"");
        line.Properties["Method"].ToString().ShouldBe("\"GET\"");
        line.Properties["Path"].ToString().ShouldBe("\"/orders/42\"");
        line.Properties["StatusCode"].ToString().ShouldBe("200");
        line.Properties.ShouldContainKey("ElapsedMs");
        var everything = string.Join("\n", _logs.Rendered());
        everything.ShouldNotContain("header-secret-123");
        everything.ShouldNotContain("cookie-secret-456");
        everything.ShouldNotContain("set-cookie-secret-789");
        everything.ShouldNotContain("query-secret-9");
    }

    [Fact]
    public async Task LogLevelWarning_LeavesOutRequestLinesButKeepsWarnings()
    {
        var logs = new CapturingSink();
        await using var gateway = new GatewayFactory()
            .WithService("svc", _a)
            .WithService("empty")
            .With("LOG_LEVEL", "Warning")
            .WithServices(services => services.AddSingleton<ILogEventSink>(logs));
        using var client = gateway.CreateRawClient();

        (await client.GetAsync("/svc/items")).Dispose();
        (await client.GetAsync("/empty/items")).Dispose();

        await Eventually.TrueAsync(
            () => logs.Events.Any(e => e.RenderMessage(System.Globalization.CultureInfo.InvariantCulture).Contains("no healthy instance", StringComparison.Ordinal)),
            TimeSpan.FromSeconds(10),
            "the warning for the service without instances");
        logs.Events.ShouldAllBe(e => e.Level >= Serilog.Events.LogEventLevel.Warning);
        logs.Events.ShouldNotContain(e => e.Properties.ContainsKey("StatusCode"));
    }

    /// <summary>/metrics of a gateway of its own that exports <paramref name="meters"/>, after one request through it.</summary>
    private async Task<string> ScrapeAfterOneRequestAsync(string meters)
    {
        await using var gateway = new GatewayFactory().WithService("svc", _a).With("METRICS_METERS", meters);
        using var client = gateway.CreateRawClient();
        (await client.GetAsync("/svc/items")).Dispose();
        return await client.GetStringAsync("/metrics");
    }

    /// <summary>The type a family's <c># TYPE</c> line gives.</summary>
    private static string Type(string metrics, string name) =>
        Line(metrics, $"^# TYPE {Regex.Escape(name)} (.*)$", $"no # TYPE line for {name}");

    /// <summary>The text a family's <c># HELP</c> line gives.</summary>
    private static string Help(string metrics, string name) =>
        Line(metrics, $"^# HELP {Regex.Escape(name)} (.*)$", $"no # HELP line for {name}");

    /// <summary>The value of one sample in Prometheus text format, labels written as the exporter sorts them.</summary>
    private static double Sample(string metrics, string name, string labels) => double.Parse(
        Line(
            metrics,
            $"^{Regex.Escape(name)}\\{{{Regex.Escape(labels)}\\}} (\\S+)$",
            $"no sample {name}{{{labels}}} in:\n{string.Join('\n', metrics.Split('\n').Where(l => l.StartsWith(name, StringComparison.Ordinal)))}"),
        System.Globalization.CultureInfo.InvariantCulture);

    /// <summary>What the first group of a pattern matches on some line of the exposition.</summary>
    private static string Line(string metrics, string pattern, string missing)
    {
        var match = Regex.Match(metrics, pattern, RegexOptions.Multiline);
        match.Success.ShouldBeTrue(missing);
        return match.Groups[1].Value;
    }
}
