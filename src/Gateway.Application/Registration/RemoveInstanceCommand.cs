using MediatR;

namespace Gateway.Application.Registration;

/// <summary>Removes a registered instance at once.</summary>
public sealed record RemoveInstanceCommand(string Service, string InstanceId) : IAdminCommand<Unit>;
