namespace Gateway.Application.Edge;

/// <summary>One partition's bucket: up to <c>Burst</c> permits, refilled at <c>PermitsPerSecond</c>.</summary>
/// <remarks>
/// Refilled lazily from the time since it was last used, so an idle bucket costs no timer. The lock is the
/// bucket's own: requests in different partitions never wait for each other.
/// </remarks>
public sealed class TokenBucket
{
    private readonly Lock _lock = new();
    private double _tokens;
    private long _updated;

    public TokenBucket(double burst, long now)
    {
        _tokens = burst;
        _updated = now;
    }

    /// <summary>When the bucket last took or refused a request, in <see cref="TimeProvider"/> timestamp units.</summary>
    public long LastUsed => Volatile.Read(ref _updated);

    public RateLimitDecision TryTake(double permitsPerSecond, double burst, long now, long timestampFrequency)
    {
        lock (_lock)
        {
            // A timestamp older than the last one (two threads read the clock in one order and lock in the other)
            // refills nothing rather than taking permits back.
            var elapsed = now > _updated ? (now - _updated) / (double)timestampFrequency : 0;
            var tokens = Math.Min(burst, _tokens + (elapsed * permitsPerSecond));
            if (now > _updated)
            {
                _updated = now;
            }

            if (tokens >= 1)
            {
                _tokens = tokens - 1;
                return new RateLimitDecision(true, (int)_tokens, WholeSeconds((burst - _tokens) / permitsPerSecond), 0);
            }

            _tokens = tokens;
            var retryAfter = Math.Max(1, WholeSeconds((1 - tokens) / permitsPerSecond));
            return new RateLimitDecision(false, 0, WholeSeconds((burst - tokens) / permitsPerSecond), retryAfter);
        }
    }

    // Up, so that a client that waits as long as told finds a permit there; the epsilon keeps 2.0000000001 at 2.
    private static int WholeSeconds(double seconds) => (int)Math.Min(int.MaxValue, Math.Ceiling(seconds - 1e-9));
}
