using System.Diagnostics.Metrics;
using Gateway.Application.Telemetry;
using Microsoft.Extensions.Options;
using Prometheus;

namespace Gateway.Api.Telemetry;

/// <summary>Exports the gateway's meter and the .NET meters <see cref="MetricsOptions"/> names in Prometheus text format.</summary>
internal static class PrometheusSetup
{
    public static IServiceCollection AddGatewayPrometheus(this IServiceCollection services)
    {
        services.AddOptions<MetricsOptions>().Configure<IConfiguration>(MetricsOptions.Bind).ValidateOnStart();
        services.AddSingleton<PrometheusExporter>();
        services.AddHostedService(provider => provider.GetRequiredService<PrometheusExporter>());
        return services;
    }

    public static IEndpointRouteBuilder MapGatewayMetrics(this IEndpointRouteBuilder endpoints)
    {
        var exporter = endpoints.ServiceProvider.GetRequiredService<PrometheusExporter>();
        endpoints.MapMetrics("/metrics", exporter.Registry);
        return endpoints;
    }
}

/// <summary>
/// One host's bridge from .NET meters to a Prometheus registry of its own, listening from start-up.
/// </summary>
/// <remarks>
/// prometheus-net's default adapter starts on first use of its global registry, which loses what is recorded before
/// the first scrape, and a listener sees every meter in the process. This one starts with the host and takes only the
/// configured meters of this host's <see cref="IMeterFactory"/>, plus the process-wide ones that belong to no host, so
/// two gateways in one process (as in tests) never count each other's requests.
/// </remarks>
internal sealed class PrometheusExporter(IMeterFactory meterFactory, IOptions<MetricsOptions> options) : IHostedService, IDisposable
{
    private readonly IReadOnlySet<string> _meters = options.Value.Meters;

    private IDisposable? _adapter;

    public CollectorRegistry Registry { get; } = Metrics.NewCustomRegistry();

    public Task StartAsync(CancellationToken cancellationToken)
    {
        _adapter = MeterAdapter.StartListening(new MeterAdapterOptions
        {
            Registry = Registry,
            MetricFactory = Metrics.WithCustomRegistry(Registry),
            InstrumentFilterPredicate = instrument => IsOurs(instrument.Meter),
            // Prometheus histograms need their buckets up front; the gateway's come with its instrument.
            ResolveHistogramBuckets = instrument => instrument.Meter.Name == GatewayMetrics.MeterName
                ? [.. GatewayMetrics.DurationBuckets]
                : MeterAdapterOptions.DefaultHistogramBuckets,
        });
        return Task.CompletedTask;
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public void Dispose() => _adapter?.Dispose();

    private bool IsOurs(Meter meter) =>
        _meters.Contains(meter.Name) && (meter.Scope is null || ReferenceEquals(meter.Scope, meterFactory));
}
