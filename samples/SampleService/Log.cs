namespace SampleService;

/// <summary>The sample service's log lines, generated so a busy benchmark does not pay for formatting.</summary>
internal static partial class Log
{
    [LoggerMessage(EventId = 1, Level = LogLevel.Information, Message = "{Instance} listening on {Url}")]
    public static partial void Listening(ILogger logger, string instance, string url);

    [LoggerMessage(EventId = 2, Level = LogLevel.Information, Message = "{Instance} {Method} {Target} -> {StatusCode} in {ElapsedMs:0.0} ms")]
    public static partial void RequestCompleted(ILogger logger, string instance, string method, string target, int statusCode, double elapsedMs);

    [LoggerMessage(EventId = 3, Level = LogLevel.Information, Message = "{Instance} {Method} {Target} aborted by the client after {ElapsedMs:0.0} ms")]
    public static partial void RequestAborted(ILogger logger, string instance, string method, string target, double elapsedMs);

    [LoggerMessage(EventId = 4, Level = LogLevel.Information, Message = "{Instance} registered with {Gateway} as {Service} {InstanceId}: lease {TtlSeconds} s, heartbeat every {IntervalSeconds:0.#} s")]
    public static partial void Registered(ILogger logger, string instance, Uri gateway, string service, string instanceId, int ttlSeconds, double intervalSeconds);

    [LoggerMessage(EventId = 5, Level = LogLevel.Warning, Message = "{Instance} {Call} at {Gateway} failed: {Cause}; trying again every {IntervalSeconds:0.#} s")]
    public static partial void CallFailed(ILogger logger, string instance, string call, Uri gateway, string cause, double intervalSeconds);

    [LoggerMessage(EventId = 6, Level = LogLevel.Debug, Message = "{Instance} {Call} at {Gateway} failed again: {Cause}")]
    public static partial void StillFailing(ILogger logger, string instance, string call, Uri gateway, string cause);

    [LoggerMessage(EventId = 7, Level = LogLevel.Information, Message = "{Instance} heartbeats reach {Gateway} again")]
    public static partial void HeartbeatsResumed(ILogger logger, string instance, Uri gateway);

    [LoggerMessage(EventId = 8, Level = LogLevel.Warning, Message = "{Instance} is no longer registered with {Gateway} as {Service} {InstanceId} (its lease ran out, or the gateway restarted); registering again")]
    public static partial void LeaseLost(ILogger logger, string instance, Uri gateway, string service, string instanceId);

    [LoggerMessage(EventId = 9, Level = LogLevel.Information, Message = "{Instance} deregistered from {Gateway} as {Service} {InstanceId}")]
    public static partial void Deregistered(ILogger logger, string instance, Uri gateway, string service, string instanceId);

    [LoggerMessage(EventId = 10, Level = LogLevel.Information, Message = "{Instance} was not registered with {Gateway} as {Service} {InstanceId} at shutdown; nothing to deregister")]
    public static partial void NotRegisteredAtShutdown(ILogger logger, string instance, Uri gateway, string service, string instanceId);

    [LoggerMessage(EventId = 11, Level = LogLevel.Warning, Message = "{Instance} could not deregister from {Gateway}: {Cause}; the gateway drops it when its {TtlSeconds} s lease runs out")]
    public static partial void DeregisterFailed(ILogger logger, string instance, Uri gateway, string cause, int ttlSeconds);

    [LoggerMessage(EventId = 12, Level = LogLevel.Error, Message = "{Instance} found no port to register in its addresses ({Addresses}); it does not register")]
    public static partial void NoBoundPort(ILogger logger, string instance, string addresses);
}
