using System.Diagnostics;
using System.Diagnostics.Metrics;
using Gateway.Domain;

namespace Gateway.Application.Telemetry;

/// <summary>The gateway's own instruments, on the <c>MsaGateway</c> meter.</summary>
/// <remarks>
/// Every tag value comes from the registry (a service's name, an instance's id) or from a small fixed set (method,
/// status class, reason), never from the request as sent: a client asking for a thousand made-up services must not
/// create a thousand series. Recording takes a <see cref="TagList"/>, a struct, so it allocates nothing of its own;
/// gauges are observed from the registry when metrics are collected, not recorded per request.
/// </remarks>
public sealed class GatewayMetrics
{
    public const string MeterName = "MsaGateway";

    /// <summary>Upstream durations span a fast cache hit to a slow report: 1 ms to 30 s.</summary>
    public static readonly IReadOnlyList<double> DurationBuckets =
        [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30];

    private static readonly string[] StatusClasses = ["1xx", "2xx", "3xx", "4xx", "5xx"];

    private readonly Counter<long> _requests;
    private readonly Histogram<double> _upstreamDuration;
    private readonly Counter<long> _retries;
    private readonly Counter<long> _errors;
    private readonly Counter<long> _healthChecks;
    private readonly Counter<long> _circuitTransitions;
    private readonly Counter<long> _connectionsClosed;
    private readonly Counter<long> _upgrades;
    private readonly Counter<long> _edgeRejections;
    private readonly Counter<long> _apiKeyRequests;
    private readonly Counter<long> _versionRequests;

    public GatewayMetrics(IMeterFactory meterFactory, ServiceRegistry registry)
    {
        ArgumentNullException.ThrowIfNull(meterFactory);
        ArgumentNullException.ThrowIfNull(registry);
        var meter = meterFactory.Create(MeterName);

        _requests = meter.CreateCounter<long>(
            "gateway.requests", "{request}", "Requests proxied to an instance, by the status class of its answer.");
        _upstreamDuration = meter.CreateHistogram(
            "gateway.upstream.duration",
            "s",
            "Time from sending a request to an instance to its response headers.",
            advice: new InstrumentAdvice<double> { HistogramBucketBoundaries = DurationBuckets });
        _retries = meter.CreateCounter<long>(
            "gateway.retries", "{request}", "Requests sent again to another instance after one gave no answer.");
        _errors = meter.CreateCounter<long>(
            "gateway.errors", "{response}", "Error responses the gateway produced itself, by status and reason.");
        _healthChecks = meter.CreateCounter<long>(
            "gateway.health_checks", "{check}", "Active health checks, by result.");
        _circuitTransitions = meter.CreateCounter<long>(
            "gateway.circuit.transitions", "{transition}", "Circuit breakers changing state, by the state entered.");

        _connectionsClosed = meter.CreateCounter<long>(
            "gateway.connections.closed",
            "{connection}",
            "Client connections the gateway closed to protect itself, by reason: over the limit, idle ones closed to make room, idle past the timeout.");

        _upgrades = meter.CreateCounter<long>(
            "gateway.websocket.connections",
            "{connection}",
            "Client connections switched to WebSocket with an instance (101 passed on).");

        _edgeRejections = meter.CreateCounter<long>(
            "gateway.edge.rejections",
            "{request}",
            "Requests the edge policies refused before an instance was chosen, by service and reason.");
        _apiKeyRequests = meter.CreateCounter<long>(
            "gateway.edge.api_key.requests", "{request}", "Requests admitted with an API key, by service and the key's name.");

        _versionRequests = meter.CreateCounter<long>(
            "gateway.version.requests",
            "{request}",
            "Requests of a versioned service routed to a version, by service and version (the registry's versions only).");

        meter.CreateObservableGauge(
            "gateway.requests.active",
            () => Observe(registry, static instance => instance.ActiveRequests),
            "{request}",
            "Requests sent to an instance whose responses have not finished yet.");
        meter.CreateObservableGauge(
            "gateway.instance.healthy",
            () => Observe(registry, static instance => instance.Health.IsHealthy ? 1 : 0),
            description: "1 while the instance is healthy, 0 while it is out.");
        meter.CreateObservableGauge(
            "gateway.instance.available",
            () => Observe(registry, static instance => instance.IsAvailable ? 1 : 0),
            description: "1 while the load balancers may choose the instance (healthy, circuit not open).");
    }

    public void RequestForwarded(Service service, Instance instance, string method, int statusCode, TimeSpan upstreamElapsed)
    {
        var tags = new TagList
        {
            { "service", service.Name },
            { "instance", instance.Id },
            { "method", KnownMethod(method) },
            { "status_class", StatusClass(statusCode) },
        };
        _requests.Add(1, tags);
        _upstreamDuration.Record(upstreamElapsed.TotalSeconds, new TagList
        {
            { "service", service.Name },
            { "instance", instance.Id },
        });
    }

    /// <param name="version">A version some instance of the service runs: never text from the request.</param>
    public void VersionRouted(Service service, string version) =>
        _versionRequests.Add(1, new TagList { { "service", service.Name }, { "version", version } });

    public void Retried(Service service) => _retries.Add(1, new KeyValuePair<string, object?>("service", service.Name));

    /// <param name="reason">One of a fixed set, such as <c>unknown_service</c>: never text from the request.</param>
    public void GatewayError(int statusCode, string reason) =>
        _errors.Add(1, new TagList { { "status", StatusText(statusCode) }, { "reason", reason } });

    public void HealthChecked(Service service, Instance instance, bool healthy) =>
        _healthChecks.Add(1, new TagList
        {
            { "service", service.Name },
            { "instance", instance.Id },
            { "result", healthy ? "healthy" : "unhealthy" },
        });

    public void CircuitChanged(string service, Instance instance, CircuitState state) =>
        _circuitTransitions.Add(1, new TagList
        {
            { "service", service },
            { "instance", instance.Id },
            { "state", state switch { CircuitState.Open => "open", CircuitState.HalfOpen => "half_open", _ => "closed" } },
        });

    /// <param name="reason"><c>limit</c>, <c>idle_evicted</c> or <c>idle_timeout</c>.</param>
    public void ConnectionClosed(string reason) => _connectionsClosed.Add(1, new KeyValuePair<string, object?>("reason", reason));

    public void WebSocketOpened(string service, Instance instance) =>
        _upgrades.Add(1, new TagList { { "service", service }, { "instance", instance.Id } });

    /// <param name="reason">One of the edge's fixed set, such as <c>rate_limited</c>.</param>
    public void EdgeRefused(Service service, string reason) =>
        _edgeRejections.Add(1, new TagList { { "service", service.Name }, { "reason", reason } });

    /// <param name="keyName">A configured key's name, never the key: the set is as small as the configuration.</param>
    public void ApiKeyUsed(Service service, string keyName) =>
        _apiKeyRequests.Add(1, new TagList { { "service", service.Name }, { "api_key", keyName } });

    /// <summary>HTTP's registered methods as they are; anything else a client invents counts as OTHER.</summary>
    private static string KnownMethod(string method) => method switch
    {
        "GET" => "GET",
        "POST" => "POST",
        "PUT" => "PUT",
        "DELETE" => "DELETE",
        "PATCH" => "PATCH",
        "HEAD" => "HEAD",
        "OPTIONS" => "OPTIONS",
        "TRACE" => "TRACE",
        "CONNECT" => "CONNECT",
        _ => "OTHER",
    };

    private static string StatusClass(int statusCode) =>
        statusCode is >= 100 and <= 599 ? StatusClasses[(statusCode / 100) - 1] : "other";

    private static string StatusText(int statusCode) => statusCode switch
    {
        400 => "400",
        401 => "401",
        403 => "403",
        404 => "404",
        413 => "413",
        429 => "429",
        499 => "499",
        502 => "502",
        503 => "503",
        504 => "504",
        _ => statusCode.ToString(System.Globalization.CultureInfo.InvariantCulture),
    };

    private static IEnumerable<Measurement<int>> Observe(ServiceRegistry registry, Func<Instance, int> value)
    {
        foreach (var service in registry.Services)
        {
            foreach (var instance in service.Instances)
            {
                yield return new Measurement<int>(value(instance), new TagList
                {
                    { "service", service.Name },
                    { "instance", instance.Id },
                });
            }
        }
    }
}
