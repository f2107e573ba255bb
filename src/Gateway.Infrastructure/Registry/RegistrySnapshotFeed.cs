using Gateway.Application.Registration;
using Microsoft.Extensions.Logging;

namespace Gateway.Infrastructure.Registry;

/// <summary>
/// A store's latest snapshot and the subscribers told of each new one: the half of <see cref="IRegistrationStore"/>
/// that every store shares, so that each treats its subscribers the same way.
/// </summary>
/// <remarks>
/// A subscriber that throws is logged and passed over: the others still get the snapshot, and the store's own work
/// (a registration, a watch, a lease expiry) goes on, since a subscriber's bug is not a failure of the store.
/// </remarks>
internal sealed partial class RegistrySnapshotFeed(ILogger logger)
{
    private readonly Lock _subscribersLock = new();
    private volatile RegistrySnapshot _current = RegistrySnapshot.Empty;
    private volatile Action<RegistrySnapshot>[] _subscribers = [];

    public RegistrySnapshot Current => _current;

    public void Subscribe(Action<RegistrySnapshot>? subscriber)
    {
        if (subscriber is null)
        {
            return;
        }

        lock (_subscribersLock)
        {
            _subscribers = [.. _subscribers, subscriber];
        }
    }

    public void Unsubscribe(Action<RegistrySnapshot>? subscriber)
    {
        lock (_subscribersLock)
        {
            var index = Array.LastIndexOf(_subscribers, subscriber);
            if (index >= 0)
            {
                _subscribers = [.. _subscribers[..index], .. _subscribers[(index + 1)..]];
            }
        }
    }

    /// <summary>Makes a snapshot the current one and hands it to every subscriber in turn.</summary>
    /// <remarks>Callers publish one at a time (under their own lock, or from one loop), so subscribers see snapshots in order.</remarks>
    public void Publish(RegistrySnapshot snapshot)
    {
        ArgumentNullException.ThrowIfNull(snapshot);
        _current = snapshot;
        foreach (var subscriber in _subscribers)
        {
            try
            {
                subscriber(snapshot);
            }
            catch (Exception error)
            {
                LogSubscriberFailed(logger, error);
            }
        }
    }

    [LoggerMessage(EventId = 100, Level = LogLevel.Error, Message = "A registry snapshot subscriber failed; the store and the other subscribers go on")]
    private static partial void LogSubscriberFailed(ILogger logger, Exception error);
}
