using MediatR;

namespace Gateway.Application.Registration;

/// <summary>A heartbeat: renews a registered instance's lease.</summary>
public sealed record RenewInstanceCommand(string Service, string InstanceId) : IAdminCommand<Unit>;
