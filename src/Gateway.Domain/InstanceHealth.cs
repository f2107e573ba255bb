namespace Gateway.Domain;

/// <summary>An immutable view of an instance's health, replaced whole on every change.</summary>
/// <param name="IsHealthy">Whether the instance may get traffic as far as health goes.</param>
/// <param name="Since">When it last changed between healthy and unhealthy; null if it never has.</param>
/// <param name="LastCheck">The latest active check, or null before the first.</param>
/// <param name="Source">What took it out, while it is out.</param>
/// <param name="Cause">Why it was taken out, while it is out.</param>
public sealed record InstanceHealth(
    bool IsHealthy,
    DateTimeOffset? Since,
    HealthCheckResult? LastCheck,
    int ConsecutiveFailures,
    int ConsecutiveSuccesses,
    HealthSource? Source,
    string? Cause)
{
    /// <summary>An instance counts as healthy until a check says otherwise.</summary>
    public static readonly InstanceHealth Initial = new(true, null, null, 0, 0, null, null);

    internal InstanceHealth WithCheck(HealthCheckResult result, HealthThresholds thresholds)
    {
        var failures = result.Healthy ? 0 : ConsecutiveFailures + 1;
        var successes = result.Healthy ? ConsecutiveSuccesses + 1 : 0;
        var next = this with { LastCheck = result, ConsecutiveFailures = failures, ConsecutiveSuccesses = successes };

        if (IsHealthy && failures >= thresholds.UnhealthyThreshold)
        {
            return next with { IsHealthy = false, Since = result.At, Source = HealthSource.Active, Cause = result.Error };
        }

        if (!IsHealthy && successes >= thresholds.HealthyThreshold)
        {
            return next with { IsHealthy = true, Since = result.At, Source = null, Cause = null };
        }

        return next;
    }
}
