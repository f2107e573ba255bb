using Gateway.Application.Registration;
using Gateway.Infrastructure.Registry;
using Microsoft.Extensions.Logging.Testing;

namespace Gateway.UnitTests.Infrastructure.Registry;

public sealed class RegistrySnapshotFeedTests
{
    private static readonly RegistrySnapshot First = RegistrySnapshot.Empty with { Changed = new HashSet<string>(["a"]) };
    private static readonly RegistrySnapshot Second = RegistrySnapshot.Empty with { Changed = new HashSet<string>(["b"]) };

    private readonly FakeLogger _logger = new();
    private readonly RegistrySnapshotFeed _feed;

    public RegistrySnapshotFeedTests() => _feed = new RegistrySnapshotFeed(_logger);

    [Fact]
    public void Publish_ASubscriberThrows_IsLoggedAndTheOthersStillGetEverySnapshotInOrder()
    {
        var before = new List<RegistrySnapshot>();
        var after = new List<RegistrySnapshot>();
        Subscribe(before.Add, _ => throw new InvalidOperationException("subscriber bug"), after.Add);

        _feed.Publish(First);
        _feed.Publish(Second);

        before.ShouldBe([First, Second]);
        after.ShouldBe([First, Second]);
        _feed.Current.ShouldBeSameAs(Second);
        _logger.Collector.GetSnapshot().ShouldAllBe(log => log.Exception is InvalidOperationException);
        _logger.Collector.Count.ShouldBe(2);
    }

    [Fact]
    public void Unsubscribe_StopsThatSubscriberOnly()
    {
        var kept = new List<RegistrySnapshot>();
        var dropped = new List<RegistrySnapshot>();
        Action<RegistrySnapshot> drop = dropped.Add;
        Subscribe(kept.Add, drop);

        _feed.Unsubscribe(drop);
        _feed.Publish(First);

        kept.ShouldBe([First]);
        dropped.ShouldBeEmpty();
    }

    [Fact]
    public void Current_BeforeAnyPublish_IsEmpty() => _feed.Current.ShouldBeSameAs(RegistrySnapshot.Empty);

    private void Subscribe(params Action<RegistrySnapshot>[] subscribers)
    {
        foreach (var subscriber in subscribers)
        {
            _feed.Subscribe(subscriber);
        }
    }
}
