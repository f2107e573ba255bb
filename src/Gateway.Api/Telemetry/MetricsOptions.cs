using Gateway.Application.Telemetry;
using Gateway.Infrastructure.Configuration;

namespace Gateway.Api.Telemetry;

/// <summary>Which .NET meters <c>/metrics</c> exports besides the gateway's own.</summary>
/// <remarks>
/// Each measurement a listened-to instrument records is aggregated by the exporter on the thread that recorded it,
/// and the framework's meters record on the proxy's hot path: Kestrel's memory pool on every 4 KiB block a body
/// passes through (a third of the gateway's CPU on 1 MiB responses), ASP.NET Core's hosting and
/// HttpClient's meters several times per request (the README's "Metrics, logs and traces" gives the measured
/// costs). The defaults are the meters that record per connection or only when scraped; the others are opt-in.
/// </remarks>
public sealed class MetricsOptions
{
    public const string MetersKey = "METRICS_METERS";

    public static readonly IReadOnlyList<string> DefaultMeters = ["System.Runtime", "Microsoft.AspNetCore.Server.Kestrel"];

    /// <summary>The exported meters by name; the gateway's own is always among them.</summary>
    public IReadOnlySet<string> Meters { get; set; } = ToSet(DefaultMeters);

    internal static void Bind(MetricsOptions options, IConfiguration configuration)
    {
        if (new SettingsReader(configuration).Text(MetersKey) is { } meters)
        {
            options.Meters = ToSet(meters.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries));
        }
    }

    private static HashSet<string> ToSet(IEnumerable<string> names) =>
        new(names.Append(GatewayMetrics.MeterName), StringComparer.Ordinal);
}
