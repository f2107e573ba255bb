using Gateway.Domain;

namespace Gateway.Api.Status;

/// <summary>An instance as <c>GET /services</c> shows it.</summary>
/// <param name="HealthChangedAt">When it last became healthy or unhealthy; null while it has stayed as it started.</param>
/// <param name="EjectedBy">What keeps it out of rotation: <c>active</c> or <c>passive</c> health, an operator's <c>override</c>, or an open <c>circuit</c>.</param>
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
    DateTimeOffset? HealthChangedAt,
    int ConsecutiveFailures,
    int ConsecutivePassiveFailures,
    string? EjectedBy,
    string? EjectionCause,
    HealthCheckView? LastCheck,
    OverrideView? Override,
    string? Version,
    IReadOnlyDictionary<string, string> Metadata)
{
    private const string CircuitOpenCause = "circuit breaker open: requests to it kept failing; a trial request is let through after the break";

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
                _ when instance.Override is not null => "override",
                _ when instance.Circuit == CircuitState.Open => "circuit",
                _ => null,
            },
            health.Cause ?? instance.Override?.Reason ?? (instance.Circuit == CircuitState.Open ? CircuitOpenCause : null),
            health.LastCheck is { } check ? HealthCheckView.From(check) : null,
            instance.Override is { } decision ? OverrideView.From(decision) : null,
            instance.Version,
            instance.Metadata);
    }
}

/// <summary>The latest active health check of an instance.</summary>
public sealed record HealthCheckView(DateTimeOffset At, bool Healthy, double DurationMs, string? Error)
{
    public static HealthCheckView From(HealthCheckResult check) =>
        new(check.At, check.Healthy, Math.Round(check.Duration.TotalMilliseconds, 3), check.Error);
}
