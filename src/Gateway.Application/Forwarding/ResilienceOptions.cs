namespace Gateway.Application.Forwarding;

/// <summary>Retries on other instances and per-instance circuit breakers.</summary>
public sealed class ResilienceOptions
{
    public const string SectionPath = "Gateway:Resilience";

    /// <summary>Instances a request that is safe to repeat may be sent to, the first one included.</summary>
    public int MaxAttempts { get; set; } = 3;

    /// <summary>Failures in a row that open an instance's circuit.</summary>
    public int FailureThreshold { get; set; } = 5;

    /// <summary>How long an open circuit keeps the instance out before a trial request.</summary>
    public TimeSpan BreakDuration { get; set; } = TimeSpan.FromSeconds(30);
}
