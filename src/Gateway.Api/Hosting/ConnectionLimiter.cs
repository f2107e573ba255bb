using Gateway.Application.Telemetry;
using Microsoft.AspNetCore.Connections;

namespace Gateway.Api.Hosting;

/// <summary>
/// Caps the client connections Kestrel holds, so that no client can take every descriptor the process has.
/// </summary>
/// <remarks>
/// <para>
/// A connection beyond the cap is accepted and closed at once: the kernel's accept queue holds the rest without
/// costing the process anything. Before refusing, the limiter closes the oldest connection that has not sent a
/// request yet: idle connections are what an attacker holds, and a client that connects to send a request sends it
/// at once, so it is never the oldest idle one for long. Connections that never send a request are closed after
/// Kestrel's request-headers timeout, which otherwise only starts with the first byte.
/// </para>
/// <para>
/// Connections that have sent a request are never closed here. The lock is taken when a connection opens, sends its
/// first request and closes: once per connection, never per request.
/// </para>
/// </remarks>
internal sealed partial class ConnectionLimiter : IHostedService, IDisposable
{
    private static readonly TimeSpan SweepInterval = TimeSpan.FromSeconds(1);

    private readonly GatewayMetrics _metrics;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private readonly Lock _lock = new();
    private readonly LinkedList<Slot> _idle = [];

    private long _max = long.MaxValue;
    private TimeSpan _idleTimeout = Timeout.InfiniteTimeSpan;
    private long _open;
    private int _idleCount;
    private long _refusedSinceLog;
    private long _lastRefusalLog;
    private ITimer? _sweep;

    public ConnectionLimiter(GatewayMetrics metrics, TimeProvider time, ILogger<ConnectionLimiter> logger)
    {
        _metrics = metrics;
        _time = time;
        _logger = logger;
        _lastRefusalLog = time.GetTimestamp() - time.TimestampFrequency;
    }

    /// <summary>Client connections open now, including those being closed for the cap.</summary>
    public long OpenConnections => Interlocked.Read(ref _open);

    /// <summary>Sets the cap and the time a connection may stay open without sending a request; before start.</summary>
    public void Configure(long maxConnections, TimeSpan idleTimeout)
    {
        _max = maxConnections;
        _idleTimeout = idleTimeout;
    }

    public ConnectionDelegate Wrap(ConnectionDelegate next) => connection => OnConnectionAsync(connection, next);

    public Task StartAsync(CancellationToken cancellationToken)
    {
        // Null (no cap, or not Linux) is written as "(null)".
        LogLimits(_logger, _max == long.MaxValue ? null : _max, DescriptorLimit.Current, DescriptorLimit.Initial);
        _sweep = _time.CreateTimer(static state => ((ConnectionLimiter)state!).CloseIdle(), this, SweepInterval, SweepInterval);
        return Task.CompletedTask;
    }

    public Task StopAsync(CancellationToken cancellationToken)
    {
        _sweep?.Dispose();
        return Task.CompletedTask;
    }

    public void Dispose() => _sweep?.Dispose();

    /// <summary>Called for every request; takes the connection off the idle list the first time.</summary>
    public void RequestStarted(Microsoft.AspNetCore.Http.Features.IFeatureCollection features)
    {
        // While every connection has sent a request, as on a busy gateway with kept-alive connections, there is
        // nothing to look up: the feature lookup falls through to the connection's features, dearer than a read.
        if (Volatile.Read(ref _idleCount) > 0 && features.Get<Slot>() is { HasRequested: false } slot)
        {
            Requested(slot);
        }
    }

    private async Task OnConnectionAsync(ConnectionContext connection, ConnectionDelegate next)
    {
        if (Interlocked.Increment(ref _open) > _max && !CloseOldestIdle())
        {
            Interlocked.Decrement(ref _open);
            Refused();
            return;
        }

        var slot = new Slot(connection, _time.GetTimestamp());
        connection.Features.Set(slot);
        lock (_lock)
        {
            slot.Node = _idle.AddLast(slot);
            _idleCount++;
        }

        try
        {
            await next(connection);
        }
        finally
        {
            Requested(slot);
            Interlocked.Decrement(ref _open);
        }
    }

    private void Requested(Slot slot)
    {
        lock (_lock)
        {
            slot.HasRequested = true;
            if (slot.Node is { } node)
            {
                _idle.Remove(node);
                slot.Node = null;
                _idleCount--;
            }
        }
    }

    private bool CloseOldestIdle()
    {
        Slot? oldest;
        lock (_lock)
        {
            oldest = _idle.First?.Value;
            if (oldest is null)
            {
                return false;
            }

            _idle.RemoveFirst();
            oldest.Node = null;
            _idleCount--;
        }

        oldest.Connection.Abort(new ConnectionAbortedException("Closed to make room: the connection limit is reached."));
        _metrics.ConnectionClosed("idle_evicted");
        return true;
    }

    private void CloseIdle()
    {
        if (_idleTimeout == Timeout.InfiniteTimeSpan)
        {
            return;
        }

        List<Slot>? expired = null;
        var now = _time.GetTimestamp();
        lock (_lock)
        {
            while (_idle.First?.Value is { } oldest && _time.GetElapsedTime(oldest.OpenedAt, now) >= _idleTimeout)
            {
                _idle.RemoveFirst();
                oldest.Node = null;
                _idleCount--;
                (expired ??= []).Add(oldest);
            }
        }

        foreach (var slot in expired ?? [])
        {
            slot.Connection.Abort(new ConnectionAbortedException("No request within the request-headers timeout."));
            _metrics.ConnectionClosed("idle_timeout");
        }
    }

    private void Refused()
    {
        _metrics.ConnectionClosed("limit");
        Interlocked.Increment(ref _refusedSinceLog);
        // At most one line a second: a flood of refusals must not become a flood of log lines.
        var last = Interlocked.Read(ref _lastRefusalLog);
        var now = _time.GetTimestamp();
        if (_time.GetElapsedTime(last, now) >= TimeSpan.FromSeconds(1)
            && Interlocked.CompareExchange(ref _lastRefusalLog, now, last) == last)
        {
            LogRefused(_logger, Interlocked.Exchange(ref _refusedSinceLog, 0), _max);
        }
    }

    [LoggerMessage(Level = LogLevel.Information,
        Message = "Client connections: at most {MaxConnections}; open-file limit {DescriptorLimit} (was {InitialDescriptorLimit} at start)")]
    private static partial void LogLimits(ILogger logger, long? maxConnections, ulong? descriptorLimit, ulong? initialDescriptorLimit);

    [LoggerMessage(Level = LogLevel.Warning,
        Message = "Refused {Count} client connections: {MaxConnections} are open (GATEWAY_MAX_CONNECTIONS)")]
    private static partial void LogRefused(ILogger logger, long count, long maxConnections);

    /// <summary>A connection's place in the limiter, kept in its features so that requests can find it.</summary>
    private sealed class Slot(ConnectionContext connection, long openedAt)
    {
        public ConnectionContext Connection { get; } = connection;

        public long OpenedAt { get; } = openedAt;

        public LinkedListNode<Slot>? Node { get; set; }

        public bool HasRequested { get; set; }
    }
}
