namespace Gateway.Application.Registration;

/// <summary>Registers an instance of a service, creating the service if it is new.</summary>
public sealed record RegisterInstanceCommand(InstanceRegistration Registration) : IAdminCommand<InstanceRegistration>;
