namespace Gateway.Domain;

/// <summary>A service's own health-check thresholds; each one it leaves null falls back to the gateway's.</summary>
internal sealed record ThresholdOverrides(int? Unhealthy, int? Healthy)
{
    public static readonly ThresholdOverrides None = new(null, null);
}
