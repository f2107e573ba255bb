namespace Gateway.Application.Registration;

/// <summary>Sets the load balancer and health-check path of a dynamic service.</summary>
public sealed record ConfigureServiceCommand(string Service, ServiceSettings Settings) : IAdminCommand<ServiceConfiguration>;
