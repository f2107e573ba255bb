using Gateway.Domain;

namespace Gateway.Api.Status;

/// <summary>An instance as <c>GET /services</c> shows it.</summary>
public sealed record InstanceView(
    string Id,
    string Host,
    int Port,
    string Scheme,
    int Weight,
    bool Healthy,
    bool Available,
    bool Dynamic,
    bool Draining,
    string Circuit,
    int ActiveRequests,
    DateTimeOffset? HealthySince,
    int ConsecutiveFailures,
    int ConsecutivePassiveFailures,
    string? EjectedBy,
    string? EjectionCause,
    HealthCheckView? LastCheck)
{
    public static InstanceView From(Instance instance)
    {
        var health = instance.Health;
        return new(
            instance.Id,
            instance.Host,
            instance.Port,
            instance.Scheme,
            instance.Weight,
            health.IsHealthy,
            instance.IsAvailable,
            instance.IsDynamic,
            instance.IsDraining,
            instance.Circuit switch
            {
                CircuitState.Open => "open",
                CircuitState.HalfOpen => "half-open",
                _ => "closed",
            },
            instance.ActiveRequests,
            health.Since,
            health.ConsecutiveFailures,
            instance.ConsecutivePassiveFailures,
            health.Source switch
            {
                HealthSource.Active => "active",
                HealthSource.Passive => "passive",
                _ => null,
            },
            health.Cause,
            health.LastCheck is { } check ? HealthCheckView.From(check) : null);
    }
}

/// <summary>The latest active health check of an instance.</summary>
public sealed record HealthCheckView(DateTimeOffset At, bool Healthy, double DurationMs, string? Error)
{
    public static HealthCheckView From(HealthCheckResult check) =>
        new(check.At, check.Healthy, Math.Round(check.Duration.TotalMilliseconds, 3), check.Error);
}
