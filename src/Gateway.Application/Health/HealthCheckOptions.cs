using Gateway.Domain;

namespace Gateway.Application.Health;

/// <summary>How instances are checked, actively and passively.</summary>
public sealed class HealthCheckOptions
{
    public const string IntervalKey = "HEALTH_CHECK_INTERVAL";
    public const string SectionPath = "Gateway:HealthChecks";

    /// <summary>Time from the start of one round of active checks to the start of the next.</summary>
    public TimeSpan Interval { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>How long one probe may take; by default the smaller of 5 s and the interval.</summary>
    public TimeSpan Timeout { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>The gateway-wide thresholds; a service may set its own.</summary>
    public HealthThresholds Thresholds { get; set; } = HealthThresholds.Default;

    /// <summary>Probes in flight at once, so that a large registry does not open a socket per instance at once.</summary>
    public int MaxConcurrentProbes { get; set; } = 16;

    /// <summary>Proxied requests failing in a row that take an instance out at once, before the next round.</summary>
    public int PassiveFailureThreshold { get; set; } = 5;
}
