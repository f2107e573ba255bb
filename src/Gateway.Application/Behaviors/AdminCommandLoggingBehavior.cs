using Gateway.Application.Registration;
using MediatR;
using Microsoft.Extensions.Logging;

namespace Gateway.Application.Behaviors;

/// <summary>Times each admin command and logs how it ended, at Debug: the admin API writes the audit line itself.</summary>
public sealed partial class AdminCommandLoggingBehavior<TCommand, TValue>(TimeProvider timeProvider, ILogger<AdminCommandLoggingBehavior<TCommand, TValue>> logger)
    : IPipelineBehavior<TCommand, AdminResult<TValue>>
    where TCommand : IAdminCommand<TValue>
{
    private static readonly string CommandName = typeof(TCommand).Name;

    public async Task<AdminResult<TValue>> Handle(
        TCommand request, CancellationToken cancellationToken, RequestHandlerDelegate<AdminResult<TValue>> next)
    {
        ArgumentNullException.ThrowIfNull(next);
        var started = timeProvider.GetTimestamp();
        var result = await next();
        var elapsedMs = timeProvider.GetElapsedTime(started).TotalMilliseconds;
        LogHandled(logger, CommandName, result.Outcome, elapsedMs);
        return result;
    }

    [LoggerMessage(Level = LogLevel.Debug, Message = "{Command} ended {Outcome} in {ElapsedMs:F1} ms")]
    private static partial void LogHandled(ILogger logger, string command, AdminOutcome outcome, double elapsedMs);
}
