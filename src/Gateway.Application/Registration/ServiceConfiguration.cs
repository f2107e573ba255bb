using Gateway.Application.Edge;

namespace Gateway.Application.Registration;

/// <summary>A dynamic service's settings as they stand after a change, defaults filled in.</summary>
/// <param name="Edge">Its authentication and rate limit; null when it has neither.</param>
public sealed record ServiceConfiguration(string Name, string LoadBalancer, string HealthCheckPath, EdgeSettings? Edge = null);
