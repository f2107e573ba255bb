using Gateway.Domain;
using Gateway.UnitTests.TestSupport;

namespace Gateway.UnitTests.Domain;

public sealed class TrafficWindowTests
{
    [Fact]
    public void Record_InOnePeriod_AddsUpRequestsFailuresAndLatencies()
    {
        var window = new TrafficWindow();

        window.Record(10, TimeSpan.FromMilliseconds(3), failed: false);
        window.Record(10, TimeSpan.FromMilliseconds(4), failed: false);
        window.Record(10, TimeSpan.FromMilliseconds(40), failed: true);
        window.Record(10, TimeSpan.FromMilliseconds(400), failed: true);

        var total = Read(window, newest: 10, count: 1)[0];
        total.Requests.ShouldBe(4);
        total.Failures.ShouldBe(2);
        // Two of four at or below 5 ms: the median is the top of the 2.5-5 ms bin.
        total.LatencyMs(0.5).ShouldBe(5);
        // The slowest, in the 250-500 ms bin: the 99th percentile lies 96% of the way through it.
        total.LatencyMs(0.99)!.Value.ShouldBe(490, tolerance: 0.001);
    }

    [Fact]
    public void AddTo_SeveralPeriods_KeepsEachInItsPlaceOldestFirst()
    {
        var window = new TrafficWindow();
        window.Record(7, TimeSpan.FromMilliseconds(1), failed: false);
        window.Record(9, TimeSpan.FromMilliseconds(1), failed: false);
        window.Record(9, TimeSpan.FromMilliseconds(1), failed: false);

        var periods = Read(window, newest: 9, count: 4);

        periods.Select(p => p.Requests).ShouldBe([0, 1, 0, 2]);
    }

    [Fact]
    public void Record_OnceRoundTheRing_ForgetsThePeriodItReplaces()
    {
        var window = new TrafficWindow();
        window.Record(5, TimeSpan.FromMilliseconds(1), failed: true);

        window.Record(5 + TrafficWindow.Slots, TimeSpan.FromMilliseconds(1), failed: false);

        Read(window, newest: 5, count: 1)[0].Requests.ShouldBe(0);
        var replaced = Read(window, newest: 5 + TrafficWindow.Slots, count: 1)[0];
        replaced.Requests.ShouldBe(1);
        replaced.Failures.ShouldBe(0);
    }

    [Fact]
    public void Record_LateForAPeriodTheRingHasMovedPast_IsLeftOut()
    {
        var window = new TrafficWindow();
        window.Record(5 + TrafficWindow.Slots, TimeSpan.FromMilliseconds(1), failed: false);

        window.Record(5, TimeSpan.FromMilliseconds(1), failed: false);

        Read(window, newest: 5 + TrafficWindow.Slots, count: 1)[0].Requests.ShouldBe(1);
        Read(window, newest: 5, count: 1)[0].Requests.ShouldBe(0);
    }

    [Fact]
    public void Record_FromManyThreadsInOnePeriod_CountsEveryRequest()
    {
        const int threads = 8;
        const int each = 10_000;
        var window = new TrafficWindow();

        Concurrently.Run(threads, index =>
        {
            for (var i = 0; i < each; i++)
            {
                window.Record(42, TimeSpan.FromMilliseconds(index), failed: i % 2 == 0);
            }
        });

        var total = Read(window, newest: 42, count: 1)[0];
        total.Requests.ShouldBe(threads * each);
        total.Failures.ShouldBe(threads * each / 2);
    }

    [Fact]
    public void LatencyMs_NoRequests_IsNull()
    {
        new TrafficTotals().LatencyMs(0.5).ShouldBeNull();
    }

    [Fact]
    public void LatencyMs_SlowerThanTheLastBound_ReportsTheLastBound()
    {
        var window = new TrafficWindow();
        window.Record(1, TimeSpan.FromMinutes(1), failed: false);

        Read(window, newest: 1, count: 1)[0].LatencyMs(0.99).ShouldBe(TrafficWindow.LatencyBoundsMs[^1]);
    }

    private static TrafficTotals[] Read(TrafficWindow window, long newest, int count)
    {
        var periods = new TrafficTotals[count];
        window.AddTo(newest, count, periods);
        return [.. periods.Select(p => p ?? new TrafficTotals())];
    }
}
