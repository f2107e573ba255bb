namespace Gateway.Domain;

/// <summary>What configuration says a service is; the registry turns it into a live <see cref="Service"/>.</summary>
public sealed record ServiceDefinition(
    string Name,
    string LoadBalancer,
    string HealthCheckPath,
    IReadOnlyList<InstanceDefinition> Instances);

/// <summary>What configuration says an instance is.</summary>
public sealed record InstanceDefinition(string Host, int Port, int Weight = 1, string Scheme = "http");
