using Gateway.Application.Edge;
using Microsoft.Extensions.Time.Testing;

namespace Gateway.UnitTests.Application.Edge;

public sealed class RateLimitPartitionsTests
{
    private readonly FakeTimeProvider _time = new();

    [Fact]
    public void Acquire_FreshPartition_AllowsExactlyTheBurst()
    {
        var partitions = new RateLimitPartitions(permitsPerSecond: 2, burst: 5, _time);

        var decisions = Enumerable.Range(0, 6).Select(_ => partitions.Acquire("a")).ToList();

        decisions.Take(5).ShouldAllBe(decision => decision.Allowed);
        decisions.Take(5).Select(decision => decision.Remaining).ShouldBe([4, 3, 2, 1, 0]);
        decisions[5].Allowed.ShouldBeFalse();
    }

    [Fact]
    public void Acquire_AfterRefill_AllowsWhatTheElapsedTimeBought()
    {
        var partitions = new RateLimitPartitions(permitsPerSecond: 2, burst: 4, _time);
        Drain(partitions, "a", 4);

        _time.Advance(TimeSpan.FromSeconds(1));

        partitions.Acquire("a").Allowed.ShouldBeTrue();
        partitions.Acquire("a").Allowed.ShouldBeTrue();
        partitions.Acquire("a").Allowed.ShouldBeFalse();
    }

    [Fact]
    public void Acquire_LongIdle_RefillsNoMoreThanTheBurst()
    {
        var partitions = new RateLimitPartitions(permitsPerSecond: 10, burst: 3, _time);
        Drain(partitions, "a", 3);

        _time.Advance(TimeSpan.FromHours(1));

        Enumerable.Range(0, 4).Count(_ => partitions.Acquire("a").Allowed).ShouldBe(3);
    }

    [Theory]
    [InlineData(1, 1)]
    [InlineData(0.5, 2)]
    [InlineData(0.1, 10)]
    [InlineData(4, 1)]
    public void Acquire_OverTheLimit_RetryAfterIsTheWholeSecondsUntilAPermit(double permitsPerSecond, int expected)
    {
        var partitions = new RateLimitPartitions(permitsPerSecond, burst: 1, _time);
        partitions.Acquire("a");

        var refused = partitions.Acquire("a");

        refused.Allowed.ShouldBeFalse();
        refused.RetryAfterSeconds.ShouldBe(expected);
    }

    [Fact]
    public void Acquire_WaitingAsLongAsRetryAfterSays_FindsAPermit()
    {
        var partitions = new RateLimitPartitions(permitsPerSecond: 0.4, burst: 1, _time);
        partitions.Acquire("a");
        _time.Advance(TimeSpan.FromSeconds(1));

        var refused = partitions.Acquire("a");
        _time.Advance(TimeSpan.FromSeconds(refused.RetryAfterSeconds));

        refused.RetryAfterSeconds.ShouldBe(2);
        partitions.Acquire("a").Allowed.ShouldBeTrue();
    }

    [Fact]
    public void Acquire_ResetSeconds_IsTheTimeUntilTheBucketIsFull()
    {
        var partitions = new RateLimitPartitions(permitsPerSecond: 2, burst: 10, _time);

        var decision = Drain(partitions, "a", 5);

        decision.Remaining.ShouldBe(5);
        decision.ResetSeconds.ShouldBe(3);
    }

    [Fact]
    public void Acquire_DistinctKeys_HaveBucketsOfTheirOwn()
    {
        var partitions = new RateLimitPartitions(permitsPerSecond: 1, burst: 1, _time);

        partitions.Acquire("a").Allowed.ShouldBeTrue();
        partitions.Acquire("b").Allowed.ShouldBeTrue();
        partitions.Acquire("a").Allowed.ShouldBeFalse();
        partitions.Acquire("b").Allowed.ShouldBeFalse();
    }

    [Fact]
    public void Acquire_IdlePartitions_AreEvictedOnceFullAgain()
    {
        var partitions = new RateLimitPartitions(permitsPerSecond: 1, burst: 2, _time);
        partitions.Acquire("a");
        partitions.Acquire("b");

        _time.Advance(TimeSpan.FromSeconds(2));
        partitions.Acquire("c");

        partitions.Count.ShouldBe(1);
    }

    [Fact]
    public void Acquire_EvictedPartition_StartsWithAFullBucketAsItWouldHaveHad()
    {
        var partitions = new RateLimitPartitions(permitsPerSecond: 1, burst: 2, _time);
        Drain(partitions, "a", 2);
        _time.Advance(TimeSpan.FromSeconds(2));
        partitions.Acquire("c");

        Enumerable.Range(0, 3).Count(_ => partitions.Acquire("a").Allowed).ShouldBe(2);
    }

    [Fact]
    public void Acquire_AMillionDistinctKeys_KeepsThePartitionCountAtTheCap()
    {
        const int Capacity = 10_000;
        var partitions = new RateLimitPartitions(permitsPerSecond: 1, burst: 1, _time, Capacity);
        var maxSeen = 0;

        for (var i = 0; i < 1_000_000; i++)
        {
            partitions.Acquire(i.ToString(System.Globalization.CultureInfo.InvariantCulture));
            maxSeen = Math.Max(maxSeen, partitions.Count);
            if (i % 100_000 == 0)
            {
                _time.Advance(TimeSpan.FromMilliseconds(300));
            }
        }

        maxSeen.ShouldBe(Capacity);
    }

    [Fact]
    public void Acquire_CapReachedWithBusyPartitions_NewKeysShareOneOverflowBucket()
    {
        var partitions = new RateLimitPartitions(permitsPerSecond: 1, burst: 2, _time, capacity: 2);
        partitions.Acquire("a");
        partitions.Acquire("b");

        var spoofed = Enumerable.Range(0, 10).Select(i => partitions.Acquire($"spoofed-{i}")).ToList();

        spoofed.Count(decision => decision.Allowed).ShouldBe(2);
        partitions.Count.ShouldBe(2);
    }

    [Fact]
    public void Acquire_CapReachedThenPartitionsIdle_MakesRoomForNewKeys()
    {
        var partitions = new RateLimitPartitions(permitsPerSecond: 1, burst: 1, _time, capacity: 2);
        partitions.Acquire("a");
        partitions.Acquire("b");

        _time.Advance(TimeSpan.FromSeconds(1));
        partitions.Acquire("c");
        partitions.Acquire("d");

        partitions.Count.ShouldBe(2);
        partitions.Acquire("c").Allowed.ShouldBeFalse();
        partitions.Acquire("d").Allowed.ShouldBeFalse();
    }

    private static RateLimitDecision Drain(RateLimitPartitions partitions, string key, int count)
    {
        RateLimitDecision last = default;
        for (var i = 0; i < count; i++)
        {
            last = partitions.Acquire(key);
            last.Allowed.ShouldBeTrue();
        }

        return last;
    }
}
