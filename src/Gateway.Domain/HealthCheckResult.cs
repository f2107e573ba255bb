namespace Gateway.Domain;

/// <summary>What one active health check of an instance found.</summary>
/// <param name="Error">Why the check failed (status, timeout or connection error); null when it passed.</param>
public sealed record HealthCheckResult(DateTimeOffset At, bool Healthy, TimeSpan Duration, string? Error = null);
