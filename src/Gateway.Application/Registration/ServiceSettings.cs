namespace Gateway.Application.Registration;

/// <summary>The settings of a dynamic service; null keeps the default.</summary>
public sealed record ServiceSettings(string? LoadBalancer, string? HealthCheckPath);
