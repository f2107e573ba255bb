using Gateway.Domain;

namespace Gateway.Application.Health;

/// <summary>Asks one instance whether it is healthy.</summary>
/// <remarks>
/// A failed probe is a result, not an exception: a refused connection, a timeout or a non-2xx answer all come back
/// as an unhealthy <see cref="HealthCheckResult"/> with the cause. Only cancellation (shutdown) throws.
/// </remarks>
public interface IHealthProbe
{
    Task<HealthCheckResult> ProbeAsync(Service service, Instance instance, CancellationToken cancellationToken);
}
