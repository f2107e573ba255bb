namespace Gateway.Application.Registration;

/// <summary>Sets the load balancer, health-check path, authentication and rate limit of a dynamic service.</summary>
/// <remarks>The settings replace the service's previous ones whole: what the command leaves out goes back to its default.</remarks>
public sealed record ConfigureServiceCommand(string Service, ServiceSettings Settings) : IAdminCommand<ServiceConfiguration>;
