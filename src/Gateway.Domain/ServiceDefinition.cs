using Gateway.Domain.Traffic;

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
    TimeSpan? StreamIdleTimeout = null)
{
    /// <summary>How requests name a version; null for the defaults when the instances carry versions.</summary>
    public VersionRouting? Versioning { get; init; }

    /// <summary>How requests that name no version are shared across versions; null for no split.</summary>
    public TrafficSplit? Split { get; init; }
}

/// <summary>What configuration, or a registration, says an instance is.</summary>
/// <param name="IsDynamic">Registered at run time rather than configured.</param>
public sealed record InstanceDefinition(string Host, int Port, int Weight = 1, string Scheme = "http", bool IsDynamic = false)
{
    /// <summary>The version the instance runs, or null.</summary>
    public string? Version { get; init; }

    /// <summary>Free-form labels; null for none.</summary>
    public IReadOnlyDictionary<string, string>? Metadata { get; init; }
}
