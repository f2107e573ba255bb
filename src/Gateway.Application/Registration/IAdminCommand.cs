using MediatR;

namespace Gateway.Application.Registration;

/// <summary>
/// A change to the registry asked for through the admin API. Only these commands pass through the pipeline
/// behaviours (logging, validation, store outages); the forward command has none, so proxying pays nothing for them.
/// </summary>
public interface IAdminCommand<TValue> : IRequest<AdminResult<TValue>>;
