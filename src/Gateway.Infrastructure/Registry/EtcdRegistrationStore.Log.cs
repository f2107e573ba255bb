using Microsoft.Extensions.Logging;

namespace Gateway.Infrastructure.Registry;

internal sealed partial class EtcdRegistrationStore
{
    /// <summary>The etcd store's log messages, each with its own event id, for every part of the store.</summary>
    internal static partial class Log
    {
        [LoggerMessage(EventId = 1, Level = LogLevel.Information, Message = "Registration store: etcd at {Endpoints}, prefix {Prefix}: {Instances} instances at revision {Revision}")]
        public static partial void Connected(ILogger logger, string endpoints, string prefix, int instances, long revision);

        [LoggerMessage(EventId = 2, Level = LogLevel.Information, Message = "etcd at {Endpoints} answers again after {DownSeconds:0.#} s; reloaded {Instances} instances at revision {Revision}")]
        public static partial void Reconnected(ILogger logger, string endpoints, double downSeconds, int instances, long revision);

        [LoggerMessage(EventId = 3, Level = LogLevel.Warning, Message = "etcd at {Endpoints} cannot be reached ({Cause}); routing goes on with the last registry seen while retrying")]
        public static partial void Outage(ILogger logger, string endpoints, string cause);

        [LoggerMessage(EventId = 4, Level = LogLevel.Error, Message = "Following etcd at {Endpoints} failed; routing goes on with the last registry seen while retrying")]
        public static partial void Failure(ILogger logger, string endpoints, Exception error);

        [LoggerMessage(EventId = 5, Level = LogLevel.Debug, Message = "etcd at {Endpoints} still cannot be reached ({Cause}); next attempt in {DelayMs} ms")]
        public static partial void StillDown(ILogger logger, string endpoints, string cause, double delayMs);

        [LoggerMessage(EventId = 6, Level = LogLevel.Information, Message = "etcd canceled the watch on {Prefix} ({Reason}, compacted to revision {CompactRevision}); reloading")]
        public static partial void WatchCanceled(ILogger logger, string prefix, string reason, long compactRevision);

        [LoggerMessage(EventId = 7, Level = LogLevel.Warning, Message = "Ignoring {Key} in etcd: {Problem}")]
        public static partial void Undecodable(ILogger logger, string key, string problem);

        [LoggerMessage(EventId = 8, Level = LogLevel.Debug, Message = "Could not revoke etcd lease {Lease}; it runs out by itself")]
        public static partial void RevokeFailed(ILogger logger, long lease, Exception error);

        [LoggerMessage(EventId = 9, Level = LogLevel.Information, Message = "{Service} {InstanceId} removed: no heartbeat within its {TtlSeconds} s lease, {RegisteredSeconds:0} s after it registered")]
        public static partial void LeaseExpired(ILogger logger, string service, string instanceId, int ttlSeconds, double registeredSeconds);
    }
}
