using Gateway.Application.Registration;
using MediatR;
using Microsoft.Extensions.Logging;

namespace Gateway.Application.Behaviors;

/// <summary>
/// Turns a store that cannot be reached into <see cref="AdminOutcome.StoreUnavailable"/>: an outage is expected
/// (etcd restarts, the network splits), so it is a result the caller can retry on, not an error, and this is the one
/// place that says so.
/// </summary>
public sealed partial class StoreOutageBehavior<TCommand, TValue>(ILogger<StoreOutageBehavior<TCommand, TValue>> logger)
    : IPipelineBehavior<TCommand, AdminResult<TValue>>
    where TCommand : IAdminCommand<TValue>
{
    private static readonly string CommandName = typeof(TCommand).Name;

    public async Task<AdminResult<TValue>> Handle(
        TCommand request, CancellationToken cancellationToken, RequestHandlerDelegate<AdminResult<TValue>> next)
    {
        ArgumentNullException.ThrowIfNull(next);
        try
        {
            return await next();
        }
        catch (RegistrationStoreUnavailableException error)
        {
            LogStoreUnavailable(logger, CommandName, error.Message);
            return AdminResult.StoreUnavailable(error.Message);
        }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "{Command} could not reach the registration store: {Cause}")]
    private static partial void LogStoreUnavailable(ILogger logger, string command, string cause);
}
