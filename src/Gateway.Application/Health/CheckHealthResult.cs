namespace Gateway.Application.Health;

/// <summary>What a round of health checks found.</summary>
/// <param name="Checked">Instances probed.</param>
/// <param name="Healthy">Instances healthy after the round.</param>
/// <param name="Changed">Instances that changed between healthy and unhealthy in the round.</param>
public sealed record CheckHealthResult(int Checked, int Healthy, int Changed);
