using System.Collections.Concurrent;
using System.Globalization;
using System.Net;
using System.Text;
using Gateway.IntegrationTests.Support;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Gateway.IntegrationTests.Observability;

/// <summary>
/// With <c>OTEL_EXPORTER_OTLP_ENDPOINT</c> set, the gateway (run as an operator runs it) sends its spans, metrics and
/// logs over OTLP/HTTP to a receiver on loopback.
/// </summary>
/// <remarks>
/// The receiver keeps the raw protobuf payloads. A span is found by its bytes: OTLP encodes a span's ids as fields 1
/// (trace id, 16 bytes), 2 (span id, 8 bytes) and 4 (parent span id, 8 bytes), written in that order, so "span S has
/// parent P" is the byte run <c>12 08 S 22 08 P</c> when the span carries no trace state.
/// </remarks>
public sealed class OtlpExportTests : IAsyncLifetime
{
    private static readonly TimeSpan Deadline = TimeSpan.FromSeconds(60);

    private readonly int _port = Ports.Unused();
    private readonly ConcurrentQueue<(string Path, byte[] Body)> _exports = new();
    private readonly string _registry = Path.Combine(Path.GetTempPath(), $"otlp-registry-{Guid.NewGuid():N}.json");
    private WebApplication _receiver = null!;
    private TestBackend _backend = null!;
    private GatewayProcess _gateway = null!;

    public async Task InitializeAsync()
    {
        _backend = await TestBackend.StartAsync();
        _receiver = await StartReceiverAsync();
        var receiverAddress = _receiver.Services.GetRequiredService<IServer>().Features.GetRequiredFeature<IServerAddressesFeature>().Addresses.Single();
        await File.WriteAllTextAsync(_registry, $$"""{ "svc": { "Instances": [ { "Host": "127.0.0.1", "Port": {{_backend.Port}} } ] } }""");
        _gateway = GatewayProcess.Start(new Dictionary<string, string>
        {
            ["GATEWAY_HOST"] = "127.0.0.1",
            ["GATEWAY_PORT"] = _port.ToString(CultureInfo.InvariantCulture),
            ["GATEWAY_REGISTRY_FILE"] = _registry,
            ["OTEL_EXPORTER_OTLP_ENDPOINT"] = receiverAddress,
            ["OTEL_EXPORTER_OTLP_PROTOCOL"] = "http/protobuf",
            ["OTEL_SERVICE_NAME"] = "gateway-under-test",
            // Export within a fraction of a second rather than the defaults' 5 s (spans, logs) and 60 s (metrics).
            ["OTEL_BSP_SCHEDULE_DELAY"] = "100",
            ["OTEL_BLRP_SCHEDULE_DELAY"] = "100",
            ["OTEL_METRIC_EXPORT_INTERVAL"] = "500",
        });
    }

    public async Task DisposeAsync()
    {
        await _gateway.DisposeAsync();
        await _receiver.DisposeAsync();
        await _backend.DisposeAsync();
        File.Delete(_registry);
    }

    [Fact]
    public async Task ProxiedRequest_ItsServerAndAttemptSpansReachTheCollector_InTheClientsTrace()
    {
        var traceId = Convert.ToHexStringLower(Guid.NewGuid().ToByteArray());
        const string callerSpanId = "b7ad6b7169203331";
        using var client = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{_port}"), Timeout = TimeSpan.FromSeconds(10) };
        await Eventually.TrueAsync(async () => _gateway.HasExited || await AnswersAsync(client), Deadline, "the gateway to forward");
        _gateway.HasExited.ShouldBeFalse(string.Join('\n', _gateway.StandardError));

        using var request = new HttpRequestMessage(HttpMethod.Get, "/svc/traced");
        request.Headers.TryAddWithoutValidation("traceparent", $"00-{traceId}-{callerSpanId}-01");
        using var response = await client.SendAsync(request);
        response.StatusCode.ShouldBe(HttpStatusCode.OK);
        var sent = _backend.Received.Last(r => r.RawTarget == "/traced").Headers["traceparent"].ShouldHaveSingleItem();
        sent.ShouldStartWith($"00-{traceId}-");
        var attemptSpan = Convert.FromHexString(sent.Split('-')[2]);

        // The attempt's span, the instance's parent, is a child of the gateway's server span, whose parent is the caller.
        byte[]? serverSpan = null;
        await Eventually.TrueAsync(
            () => Task.FromResult((serverSpan = ParentOf(attemptSpan)) is not null && ParentOf(serverSpan) is { } parent
                && parent.AsSpan().SequenceEqual(Convert.FromHexString(callerSpanId))),
            Deadline,
            "the attempt span and the server span in the exported traces");
        Exported("/v1/traces").ShouldContain(body => Contains(body, Convert.FromHexString(traceId)));
        Exported("/v1/traces").ShouldContain(body => Contains(body, Encoding.UTF8.GetBytes("gateway-under-test")));
    }

    [Fact]
    public async Task Running_MetricsAndLogsReachTheCollector()
    {
        await Eventually.TrueAsync(
            () => Task.FromResult(
                Exported("/v1/metrics").Any(body => Contains(body, Encoding.UTF8.GetBytes("MsaGateway")))
                && Exported("/v1/logs").Any(body => Contains(body, Encoding.UTF8.GetBytes("MSA Gateway listening")))),
            Deadline,
            "the gateway's metrics and its start-up line at the collector");
    }

    private IEnumerable<byte[]> Exported(string path) => _exports.Where(e => e.Path == path).Select(e => e.Body);

    /// <summary>The parent span id of the exported span with this id, or null while no such span has arrived.</summary>
    private byte[]? ParentOf(byte[] spanId)
    {
        byte[] marker = [0x12, 0x08, .. spanId, 0x22, 0x08];
        foreach (var body in Exported("/v1/traces"))
        {
            var at = body.AsSpan().IndexOf(marker);
            if (at >= 0 && at + marker.Length + 8 <= body.Length)
            {
                return body.AsSpan(at + marker.Length, 8).ToArray();
            }
        }

        return null;
    }

    private static bool Contains(byte[] body, byte[] value) => body.AsSpan().IndexOf(value) >= 0;

    private static async Task<bool> AnswersAsync(HttpClient client)
    {
        try
        {
            using var response = await client.GetAsync("/svc/ready");
            return response.StatusCode == HttpStatusCode.OK;
        }
        catch (Exception error) when (error is HttpRequestException or TaskCanceledException)
        {
            return false;
        }
    }

    private async Task<WebApplication> StartReceiverAsync()
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.ConfigureKestrel(kestrel => kestrel.Listen(IPAddress.Loopback, 0));
        var app = builder.Build();
        app.Run(async context =>
        {
            using var body = new MemoryStream();
            await context.Request.Body.CopyToAsync(body);
            _exports.Enqueue((context.Request.Path.Value!, body.ToArray()));
            context.Response.ContentType = "application/x-protobuf";
        });
        await app.StartAsync();
        return app;
    }
}
