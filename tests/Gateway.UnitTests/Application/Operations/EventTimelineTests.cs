using Gateway.Application.Operations;
using Gateway.UnitTests.TestSupport;
using Microsoft.Extensions.Time.Testing;

namespace Gateway.UnitTests.Application.Operations;

public sealed class EventTimelineTests
{
    private static readonly TimeSpan Deadline = TimeSpan.FromSeconds(10);

    private readonly FakeTimeProvider _time = new(TestServices.Now);
    private readonly EventTimeline _timeline;

    public EventTimelineTests() => _timeline = new EventTimeline(_time);

    [Fact]
    public void Latest_GivesTheNewestFirst_WithIncreasingIdsAndTheClocksTime()
    {
        _timeline.Record(GatewayEventKinds.Ejected, "orders", "a:1", "first");
        _time.Advance(TimeSpan.FromSeconds(1));
        _timeline.Record(GatewayEventKinds.Recovered, "orders", "a:1", "second");

        var latest = _timeline.Latest(10);

        latest.Select(e => (e.Id, e.Kind, e.Cause)).ShouldBe([(2L, "recovered", "second"), (1L, "ejected", "first")]);
        latest[0].At.ShouldBe(TestServices.Now + TimeSpan.FromSeconds(1));
        _timeline.Latest(1).ShouldHaveSingleItem().Id.ShouldBe(2);
    }

    [Fact]
    public void Latest_AfterMoreThanTheCapacity_KeepsOnlyTheNewestCapacityEvents()
    {
        for (var i = 1; i <= EventTimeline.Capacity + 250; i++)
        {
            _timeline.Record(GatewayEventKinds.Registered, "orders", $"i{i}", "store");
        }

        var kept = _timeline.Latest(int.MaxValue);

        kept.Count.ShouldBe(EventTimeline.Capacity);
        kept[0].Id.ShouldBe(EventTimeline.Capacity + 250);
        kept[^1].Id.ShouldBe(251);
        kept.Select(e => e.Instance).ShouldBe(kept.Select(e => $"i{e.Id}"));
    }

    [Fact]
    public void Latest_AfterAnId_GivesOnlyLaterEvents()
    {
        for (var i = 0; i < 5; i++)
        {
            _timeline.Record(GatewayEventKinds.Removed, "orders", $"i{i}", "store");
        }

        _timeline.Latest(10, afterId: 3).Select(e => e.Id).ShouldBe([5L, 4L]);
    }

    [Fact]
    public async Task FollowAsync_GivesTheBacklogAfterTheIdOldestFirst_ThenEventsAsTheyAreRecorded()
    {
        _timeline.Record(GatewayEventKinds.Ejected, "orders", "a", "1");
        _timeline.Record(GatewayEventKinds.Ejected, "orders", "b", "2");
        _timeline.Record(GatewayEventKinds.Ejected, "orders", "c", "3");
        using var stop = new CancellationTokenSource(Deadline);
        await using var follower = _timeline.FollowAsync(afterId: 1, stop.Token).GetAsyncEnumerator(stop.Token);

        (await follower.MoveNextAsync()).ShouldBeTrue();
        var second = follower.Current;
        (await follower.MoveNextAsync()).ShouldBeTrue();
        var third = follower.Current;
        var next = follower.MoveNextAsync().AsTask();
        _timeline.Record(GatewayEventKinds.Recovered, "orders", "a", "4");

        (await next.WaitAsync(Deadline)).ShouldBeTrue();
        new[] { second.Id, third.Id, follower.Current.Id }.ShouldBe([2L, 3L, 4L]);
    }
}
