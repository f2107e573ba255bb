using System.Threading.Channels;

namespace Gateway.Application.Operations;

/// <summary>Something that changed what the gateway routes to, and why.</summary>
/// <param name="Id">Increasing from 1 for the life of the process; a follower resumes after the last it saw.</param>
/// <param name="Kind">One of <see cref="GatewayEventKinds"/>.</param>
public sealed record GatewayEvent(long Id, DateTimeOffset At, string Kind, string? Service, string? Instance, string Cause);

/// <summary>The kinds of <see cref="GatewayEvent"/>: a fixed set, as a dashboard or an alert filters on them.</summary>
public static class GatewayEventKinds
{
    public const string Ejected = "ejected";
    public const string Recovered = "recovered";
    public const string CircuitOpened = "circuit_opened";
    public const string CircuitHalfOpen = "circuit_half_open";
    public const string CircuitClosed = "circuit_closed";
    public const string Registered = "registered";
    public const string Removed = "removed";
    public const string DrainStarted = "drain_started";
    public const string Drained = "drained";
    public const string OverrideSet = "override";
    public const string OverrideEnded = "override_ended";
    public const string ConfigApplied = "config_applied";
    public const string ConfigRefused = "config_refused";
}

/// <summary>
/// The latest <see cref="Capacity"/> events in memory, newest first, and a live feed of them for followers.
/// </summary>
/// <remarks>
/// Events are rare (state changes, not requests), so one lock serves both the ring and the followers. A follower that
/// does not keep up loses its oldest unread events rather than holding memory or the recorder: its channel is bounded.
/// </remarks>
public sealed class EventTimeline(TimeProvider time)
{
    public const int Capacity = 1000;

    private const int FollowerBacklog = 256;

    private readonly GatewayEvent[] _ring = new GatewayEvent[Capacity];
    private readonly Lock _lock = new();
    private readonly List<ChannelWriter<GatewayEvent>> _followers = [];
    private long _lastId;

    public void Record(string kind, string? service, string? instance, string cause)
    {
        lock (_lock)
        {
            var recorded = new GatewayEvent(++_lastId, time.GetUtcNow(), kind, service, instance, cause);
            _ring[(recorded.Id - 1) % Capacity] = recorded;
            foreach (var follower in _followers)
            {
                follower.TryWrite(recorded);
            }
        }
    }

    /// <summary>Up to <paramref name="max"/> of the kept events after <paramref name="afterId"/>, newest first.</summary>
    public IReadOnlyList<GatewayEvent> Latest(int max, long afterId = 0)
    {
        lock (_lock)
        {
            var oldest = Math.Max(afterId + 1, Math.Max(1, _lastId - Capacity + 1));
            var count = (int)Math.Clamp(_lastId - oldest + 1, 0, max);
            var latest = new GatewayEvent[count];
            for (var i = 0; i < count; i++)
            {
                latest[i] = _ring[(_lastId - 1 - i) % Capacity];
            }

            return latest;
        }
    }

    /// <summary>The kept events after <paramref name="afterId"/>, oldest first, then each new one as it is recorded.</summary>
    public async IAsyncEnumerable<GatewayEvent> FollowAsync(
        long afterId, [System.Runtime.CompilerServices.EnumeratorCancellation] CancellationToken cancellationToken)
    {
        var feed = Channel.CreateBounded<GatewayEvent>(new BoundedChannelOptions(FollowerBacklog)
        {
            FullMode = BoundedChannelFullMode.DropOldest,
            SingleReader = true,
        });
        IReadOnlyList<GatewayEvent> backlog;
        lock (_lock)
        {
            // Taken with the subscription, under one lock: nothing recorded in between is missed or seen twice.
            backlog = Latest(Capacity, afterId);
            _followers.Add(feed.Writer);
        }

        try
        {
            for (var i = backlog.Count - 1; i >= 0; i--)
            {
                yield return backlog[i];
            }

            await foreach (var next in feed.Reader.ReadAllAsync(cancellationToken))
            {
                yield return next;
            }
        }
        finally
        {
            lock (_lock)
            {
                _followers.Remove(feed.Writer);
            }
        }
    }
}
