using Gateway.Infrastructure.Http;
using OpenTelemetry;
using OpenTelemetry.Resources;
using OpenTelemetry.Trace;

namespace Gateway.Api.Telemetry;

/// <summary>
/// Spans, metrics and logs over OTLP, configured by the standard <c>OTEL_*</c> variables, when
/// <c>OTEL_EXPORTER_OTLP_ENDPOINT</c> is set; otherwise nothing is registered, so nothing is recorded or paid for.
/// </summary>
internal static class OtlpSetup
{
    public const string EndpointKey = "OTEL_EXPORTER_OTLP_ENDPOINT";

    public static bool IsEnabled(IConfiguration configuration) => !string.IsNullOrWhiteSpace(configuration[EndpointKey]);

    public static IServiceCollection AddGatewayOtlp(this IServiceCollection services, IConfiguration configuration)
    {
        if (!IsEnabled(configuration))
        {
            return services;
        }

        services.AddOpenTelemetry()
            // The SDK reads OTEL_SERVICE_NAME itself, but a name given here would replace it: it is only the default.
            .ConfigureResource(resource => resource.AddService(
                configuration["OTEL_SERVICE_NAME"] is { Length: > 0 } name ? name : "msa-gateway",
                serviceInstanceId: Environment.MachineName))
            .WithTracing(tracing => tracing
                // One server span per request, and one client span per attempt to reach an instance.
                .AddAspNetCoreInstrumentation(aspNetCore => aspNetCore.Filter = context => !IsScrape(context))
                .AddSource(UpstreamSpans.SourceName))
            .WithLogging()
            // Exporters for all three signals from OTEL_EXPORTER_OTLP_ENDPOINT, _PROTOCOL, _HEADERS and the rest.
            .UseOtlpExporter();
        return services;
    }

    /// <summary>A Prometheus scrape every few seconds would otherwise be most of the traces a quiet gateway sends.</summary>
    private static bool IsScrape(HttpContext context) => context.Request.Path.StartsWithSegments("/metrics");
}
