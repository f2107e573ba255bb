using MediatR;

namespace Gateway.Application.Health;

/// <summary>One round of active health checks over every instance of every service.</summary>
public sealed record CheckHealthCommand : IRequest<CheckHealthResult>;
