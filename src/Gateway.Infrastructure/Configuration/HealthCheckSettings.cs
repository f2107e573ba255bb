using Gateway.Application.Health;
using Gateway.Domain;
using Microsoft.Extensions.Configuration;

namespace Gateway.Infrastructure.Configuration;

/// <summary>Reads <see cref="HealthCheckOptions"/>: <c>HEALTH_CHECK_INTERVAL</c>, and the rest under <c>Gateway:HealthChecks</c>.</summary>
internal static class HealthCheckSettings
{
    public static void Bind(HealthCheckOptions options, IConfiguration configuration)
    {
        var settings = new SettingsReader(configuration);
        var section = HealthCheckOptions.SectionPath + ":";
        options.Interval = settings.Seconds(HealthCheckOptions.IntervalKey, 30);
        var defaultTimeout = Math.Min(5, options.Interval.TotalSeconds);
        options.Timeout = settings.Seconds(section + "TimeoutSeconds", defaultTimeout);
        var unhealthy = (int)settings.WholeNumber(section + "UnhealthyThreshold", 1, 1, 1000);
        var healthy = (int)settings.WholeNumber(section + "HealthyThreshold", 1, 1, 1000);
        options.Thresholds = new HealthThresholds(unhealthy, healthy);
        options.MaxConcurrentProbes = (int)settings.WholeNumber(section + "MaxConcurrentProbes", 16, 1, 1024);
        options.PassiveFailureThreshold = (int)settings.WholeNumber(section + "PassiveFailureThreshold", 5, 1, 1000);
        settings.RecordOn(options);
    }
}
