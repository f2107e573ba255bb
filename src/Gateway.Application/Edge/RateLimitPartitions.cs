using System.Collections.Concurrent;

namespace Gateway.Application.Edge;

/// <summary>The buckets of one service's rate limit, one per partition key, with a cap on how many are kept.</summary>
/// <remarks>
/// <para>
/// A bucket left alone long enough to be full again says nothing a new bucket would not, so idle ones are dropped
/// without changing any answer. Sweeps run only when a new partition arrives, at most once per sweep interval (the
/// time a bucket takes to fill), and one at a time, so requests in known partitions never pay for them.
/// </para>
/// <para>
/// When the cap is reached and no bucket is idle, as under a flood of made-up client addresses, every new key shares
/// one overflow bucket: memory stays bounded and the flood is limited as if it were a single client.
/// </para>
/// </remarks>
public sealed class RateLimitPartitions
{
    public const int DefaultCapacity = 100_000;

    private readonly ConcurrentDictionary<string, TokenBucket> _buckets = new(StringComparer.Ordinal);
    private readonly TimeProvider _time;
    private readonly double _permitsPerSecond;
    private readonly double _burst;
    private readonly int _capacity;
    private readonly long _idleTicks;
    private readonly TokenBucket _overflow;
    private int _count;
    private long _nextSweep;
    private int _sweeping;

    public RateLimitPartitions(double permitsPerSecond, int burst, TimeProvider time, int capacity = DefaultCapacity)
    {
        ArgumentNullException.ThrowIfNull(time);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(permitsPerSecond);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(burst);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(capacity);
        _time = time;
        _permitsPerSecond = permitsPerSecond;
        _burst = burst;
        _capacity = capacity;
        // Rounded up, and at least a tick: a bucket idle this long has refilled completely.
        _idleTicks = Math.Max(1, (long)Math.Ceiling(burst / permitsPerSecond * time.TimestampFrequency));
        var now = time.GetTimestamp();
        _overflow = new TokenBucket(burst, now);
        _nextSweep = now + _idleTicks;
    }

    /// <summary>Partitions with a bucket of their own right now.</summary>
    public int Count => Volatile.Read(ref _count);

    public RateLimitDecision Acquire(string key)
    {
        ArgumentNullException.ThrowIfNull(key);
        var now = _time.GetTimestamp();
        if (!_buckets.TryGetValue(key, out var bucket))
        {
            bucket = Add(key, now);
        }

        return bucket.TryTake(_permitsPerSecond, _burst, now, _time.TimestampFrequency);
    }

    private TokenBucket Add(string key, long now)
    {
        if (now >= Volatile.Read(ref _nextSweep) || Count >= _capacity)
        {
            Sweep(now);
        }

        if (Count >= _capacity)
        {
            return _overflow;
        }

        var fresh = new TokenBucket(_burst, now);
        if (_buckets.TryAdd(key, fresh))
        {
            Interlocked.Increment(ref _count);
            return fresh;
        }

        return _buckets.TryGetValue(key, out var raced) ? raced : fresh;
    }

    private void Sweep(long now)
    {
        if (now < Volatile.Read(ref _nextSweep) || Interlocked.CompareExchange(ref _sweeping, 1, 0) != 0)
        {
            return;
        }

        try
        {
            Volatile.Write(ref _nextSweep, now + _idleTicks);
            foreach (var entry in _buckets)
            {
                // A request that holds this bucket while it goes may spend its permit on it rather than on the
                // fresh one its partition gets next: at most one extra permit, in a partition that was idle.
                if (now - entry.Value.LastUsed >= _idleTicks && _buckets.TryRemove(entry))
                {
                    Interlocked.Decrement(ref _count);
                }
            }
        }
        finally
        {
            Volatile.Write(ref _sweeping, 0);
        }
    }
}
