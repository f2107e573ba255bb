namespace Gateway.Application.Registration;

/// <summary>A dynamic service's settings as they stand after a change, defaults filled in.</summary>
public sealed record ServiceConfiguration(string Name, string LoadBalancer, string HealthCheckPath);
