namespace Gateway.Domain;

/// <summary>What configuration says a service is; the registry turns it into a live <see cref="Service"/>.</summary>
/// <param name="UnhealthyThreshold">The service's own threshold; null to use the gateway's.</param>
/// <param name="HealthyThreshold">The service's own threshold; null to use the gateway's.</param>
/// <param name="RequestTimeout">The service's own wait for response headers; null to use the gateway's.</param>
/// <param name="StreamIdleTimeout">The service's own idle timeout for upgraded and streaming exchanges; null to use the gateway's.</param>
public sealed record ServiceDefinition(
    string Name,
    string LoadBalancer,
    string HealthCheckPath,
    IReadOnlyList<InstanceDefinition> Instances,
    int? UnhealthyThreshold = null,
    int? HealthyThreshold = null,
    TimeSpan? RequestTimeout = null,
    TimeSpan? StreamIdleTimeout = null);

/// <summary>What configuration, or a registration, says an instance is.</summary>
/// <param name="IsDynamic">Registered at run time rather than configured.</param>
public sealed record InstanceDefinition(string Host, int Port, int Weight = 1, string Scheme = "http", bool IsDynamic = false);
