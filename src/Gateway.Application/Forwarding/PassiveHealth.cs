using Gateway.Application.Health;
using Gateway.Application.Operations;
using Gateway.Domain;
using Microsoft.Extensions.Logging;

namespace Gateway.Application.Forwarding;

/// <summary>Outlier detection: enough proxied requests failing in a row take an instance out before the next check.</summary>
/// <remarks>
/// Fed while a request is forwarded (no answer, a 5xx) and after, when a response body breaks off: both are the
/// instance failing a request it was given.
/// </remarks>
internal sealed partial class PassiveHealth(HealthCheckOptions options, TimeProvider timeProvider, EventTimeline timeline, ILogger logger)
{
    public void Failed(Service service, Instance instance, string cause)
    {
        var failures = instance.RecordPassiveFailure();
        var threshold = options.PassiveFailureThreshold;
        if (failures < threshold)
        {
            return;
        }

        var reason = $"{failures} proxied requests failed in a row, the last: {cause}";
        if (service.TryEjectPassively(instance, timeProvider.GetUtcNow(), reason))
        {
            LogEjected(logger, service.Name, instance.Id, reason);
            timeline.Record(GatewayEventKinds.Ejected, service.Name, instance.Id, $"passive: {reason}");
        }
        else if (failures == threshold && instance.IsAvailable)
        {
            LogKeptAsLast(logger, service.Name, instance.Id, failures);
        }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "{Service} {InstanceId} is out of rotation: {Cause}")]
    private static partial void LogEjected(ILogger logger, string service, string instanceId, string cause);

    [LoggerMessage(Level = LogLevel.Warning,
        Message = "{Service} {InstanceId} failed {Failures} proxied requests in a row but stays in rotation: no other instance is available")]
    private static partial void LogKeptAsLast(ILogger logger, string service, string instanceId, int failures);
}
