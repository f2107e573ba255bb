using System.Collections.Concurrent;
using Gateway.Infrastructure.Http;
using Microsoft.Extensions.Options;

namespace Gateway.Api.Forwarding;

/// <summary>
/// Starts <see cref="StreamIdleWatch"/>es with the gateway's <c>STREAM_IDLE_TIMEOUT</c>, or a service's own, from a
/// pool on the injected clock.
/// </summary>
public sealed class StreamIdleWatches(IOptions<ForwardingOptions> options, TimeProvider timeProvider)
{
    // Enough for the streams open on a busy gateway; past it, watches are simply allocated and let go.
    private const int MaxPooled = 1024;

    private readonly TimeSpan _timeout = options.Value.StreamIdleTimeout;
    private readonly ConcurrentQueue<StreamIdleWatch> _pooled = new();
    private int _count;

    /// <param name="other">Another reason to end the stream, such as the instance's retirement.</param>
    public StreamIdleWatch Start(TimeSpan? serviceTimeout, CancellationToken client, CancellationToken other = default)
    {
        if (_pooled.TryDequeue(out var watch))
        {
            Interlocked.Decrement(ref _count);
        }
        else
        {
            watch = new StreamIdleWatch(this, timeProvider);
        }

        watch.Start(serviceTimeout ?? _timeout, client, other);
        return watch;
    }

    internal void Return(StreamIdleWatch watch)
    {
        if (Interlocked.Increment(ref _count) <= MaxPooled)
        {
            _pooled.Enqueue(watch);
        }
        else
        {
            Interlocked.Decrement(ref _count);
        }
    }
}
