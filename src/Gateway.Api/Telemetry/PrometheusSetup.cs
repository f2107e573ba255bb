using System.Diagnostics.Metrics;
using Gateway.Application.Telemetry;
using Gateway.Infrastructure.Configuration;
using Microsoft.Extensions.Options;
using OpenTelemetry.Metrics;

namespace Gateway.Api.Telemetry;

/// <summary>Exports the gateway's meter and the .NET meters <see cref="MetricsOptions"/> names in Prometheus text format.</summary>
/// <remarks>
/// The OpenTelemetry SDK aggregates each measurement on the recording thread in a lock-free, pre-allocated table, so
/// recording a proxied request's metrics allocates nothing and costs a fraction of a microsecond (the README's
/// "Metrics, logs and traces" gives the figures). Each host has a meter provider of its own.
/// </remarks>
internal static class PrometheusSetup
{
    /// <summary>How many label sets one of the gateway's metrics keeps apart.</summary>
    /// <remarks>
    /// Most of them have a series per instance, and some one per instance and method or result, so the SDK's default
    /// of 2,000 would fold a large registry's series together. The SDK sets aside about 90 bytes per series up front.
    /// </remarks>
    public const int MaxSeriesPerMetric = 20_000;

    public static IServiceCollection AddGatewayPrometheus(this IServiceCollection services)
    {
        services.AddSettings<MetricsOptions, MetricsOptionsValidation>(MetricsOptions.Bind);
        // The meters are read when the provider is built, after start-up validation has reported a bad METRICS_METERS.
        services.ConfigureOpenTelemetryMeterProvider((provider, metrics) =>
        {
            var meterFactory = provider.GetRequiredService<IMeterFactory>();
            metrics
                .AddMeter([.. provider.GetRequiredService<IOptions<MetricsOptions>>().Value.Meters])
                .AddView(instrument => Stream(instrument, meterFactory));
        });
        services.AddOpenTelemetry().WithMetrics(metrics => metrics
            // The text format carries no exemplars, so keeping them would be work nobody reads.
            .SetExemplarFilter(ExemplarFilterType.AlwaysOff)
            .AddPrometheusExporter(prometheus =>
            {
                // A scrape must see every request answered before it; Prometheus scrapes seconds apart anyway.
                prometheus.ScrapeResponseCacheDurationMilliseconds = 0;
                // The names say which meter a metric comes from; a scope label on every sample would only repeat it.
                prometheus.ScopeInfoEnabled = false;
            }));
        return services;
    }

    /// <summary>How an instrument is aggregated, or that it is not: a meter of another host's factory is dropped.</summary>
    /// <remarks>
    /// The SDK chooses meters by name across the whole process, so without this a second gateway in the process (as in
    /// tests) would count the first one's requests. Meters that belong to no factory, like the runtime's, are shared.
    /// </remarks>
    private static MetricStreamConfiguration? Stream(Instrument instrument, IMeterFactory meterFactory)
    {
        if (instrument.Meter.Scope is not null && !ReferenceEquals(instrument.Meter.Scope, meterFactory))
        {
            return MetricStreamConfiguration.Drop;
        }

        return instrument.Meter.Name == GatewayMetrics.MeterName
            ? new MetricStreamConfiguration { CardinalityLimit = MaxSeriesPerMetric }
            : null;
    }

    public static IEndpointRouteBuilder MapGatewayMetrics(this IEndpointRouteBuilder endpoints)
    {
        endpoints.MapPrometheusScrapingEndpoint("/metrics");
        return endpoints;
    }
}
