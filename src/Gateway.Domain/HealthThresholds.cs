namespace Gateway.Domain;

/// <summary>How many checks in a row it takes to change an instance's health, as Envoy counts them.</summary>
public sealed record HealthThresholds
{
    public static readonly HealthThresholds Default = new(1, 1);

    public HealthThresholds(int unhealthyThreshold, int healthyThreshold)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(unhealthyThreshold, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(healthyThreshold, 1);
        UnhealthyThreshold = unhealthyThreshold;
        HealthyThreshold = healthyThreshold;
    }

    /// <summary>Consecutive failed checks that take a healthy instance out.</summary>
    public int UnhealthyThreshold { get; }

    /// <summary>Consecutive passed checks that bring an unhealthy instance back.</summary>
    public int HealthyThreshold { get; }
}
