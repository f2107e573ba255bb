using Gateway.Application.Registration;
using Gateway.Domain;
using Gateway.Infrastructure.Registry;
using Gateway.UnitTests.TestSupport;
using Microsoft.Extensions.Logging.Testing;
using Microsoft.Extensions.Time.Testing;

namespace Gateway.UnitTests.Infrastructure.Registry;

/// <summary>
/// The in-process store on a fake clock. Its lease timer fires inside <see cref="FakeTimeProvider.Advance"/>, and it
/// raises <see cref="IRegistrationStore.SnapshotChanged"/> synchronously, so once Advance returns every snapshot that
/// was due has been recorded: "no new snapshot" is an observation, not a wait.
/// </summary>
public sealed class MemoryRegistrationStoreTests : IDisposable
{
    private const string Service = "orders";

    private readonly FakeTimeProvider _time = new(TestServices.Now);
    private readonly FakeLogger<MemoryRegistrationStore> _logger = new();
    private readonly MemoryRegistrationStore _store;
    private readonly List<RegistrySnapshot> _snapshots = [];

    public MemoryRegistrationStoreTests()
    {
        _store = new MemoryRegistrationStore(_time, _logger);
        _store.SnapshotChanged += _snapshots.Add;
    }

    private RegistrySnapshot Latest =>
        _snapshots.Count > 0 ? _snapshots[^1] : throw new ShouldAssertException("No snapshot has been published.");

    public void Dispose() => _store.Dispose();

    [Fact]
    public async Task RegisterAsync_TtlTenSeconds_StaysForTenSecondsAndThenExpiresWithASnapshotWithoutIt()
    {
        await _store.RegisterAsync(Registration("a", ttlSeconds: 10), CancellationToken.None);
        var published = _snapshots.Count;

        _time.Advance(TimeSpan.FromSeconds(9.9));

        _snapshots.Count.ShouldBe(published, "nothing changed before the lease ran out");
        Ids(Latest).ShouldBe(["a:8080"]);

        _time.Advance(TimeSpan.FromSeconds(0.1));

        _snapshots.Count.ShouldBe(published + 1);
        Ids(Latest).ShouldBeEmpty();
        (await _store.RenewAsync(Service, "a:8080", CancellationToken.None)).ShouldBeFalse();
        _logger.LatestRecord.Message.ShouldBe("orders a:8080 removed: no heartbeat within its 10 s lease, 10 s after it registered");
    }

    [Fact]
    public async Task Expiry_AfterRenewalsAndAReRegistration_ReportsTheLeaseAndHowLongSinceTheFirstRegistration()
    {
        await _store.RegisterAsync(Registration("a", ttlSeconds: 10), CancellationToken.None);
        _time.Advance(TimeSpan.FromSeconds(8));
        await _store.RegisterAsync(Registration("a", weight: 2, ttlSeconds: 10), CancellationToken.None);
        _time.Advance(TimeSpan.FromSeconds(8));
        await _store.RenewAsync(Service, "a:8080", CancellationToken.None);

        _time.Advance(TimeSpan.FromSeconds(10));

        Latest.Expired.ShouldBe([new LeaseExpiry(Service, "a:8080", 10, TimeSpan.FromSeconds(26))]);
        _logger.LatestRecord.Message.ShouldBe("orders a:8080 removed: no heartbeat within its 10 s lease, 26 s after it registered");
        _logger.Collector.GetSnapshot().Count(log => log.Message.Contains("removed: no heartbeat", StringComparison.Ordinal)).ShouldBe(1);
    }

    [Fact]
    public async Task Snapshots_OtherThanAnExpiry_ReportNoExpiry()
    {
        await _store.RegisterAsync(Registration("a", ttlSeconds: 10), CancellationToken.None);

        await _store.RemoveAsync(Service, "a:8080", CancellationToken.None);

        _snapshots.ShouldAllBe(snapshot => snapshot.Expired.Count == 0);
    }

    [Fact]
    public async Task SetOverrideAsync_PublishesIt_LiftOverrideAsyncTakesItAwayOnce()
    {
        var decision = new InstanceOverride("kernel upgrade", _time.GetUtcNow(), null, "ab12cd34");

        await _store.SetOverrideAsync(Service, "a:8080", decision, CancellationToken.None);
        var set = Latest;
        var lifted = await _store.LiftOverrideAsync("ORDERS", "A:8080", CancellationToken.None);
        var again = await _store.LiftOverrideAsync(Service, "a:8080", CancellationToken.None);

        set.Overrides[$"{Service}/a:8080"].ShouldBe(decision);
        set.Changed.ShouldBe([Service]);
        lifted.ShouldBeTrue();
        again.ShouldBeFalse();
        Latest.Overrides.ShouldBeEmpty();
    }

    [Fact]
    public async Task SnapshotChanged_SubscriberThrows_TheChangeStandsAndTheOtherSubscribersStillGetIt()
    {
        var after = new List<RegistrySnapshot>();
        _store.SnapshotChanged += _ => throw new InvalidOperationException("subscriber bug");
        _store.SnapshotChanged += after.Add;

        await _store.RegisterAsync(Registration("a", ttlSeconds: 10), CancellationToken.None);
        _time.Advance(TimeSpan.FromSeconds(10));

        Ids(after[0]).ShouldBe(["a:8080"]);
        Ids(after[^1]).ShouldBeEmpty("the lease timer went on past the failing subscriber");
        Ids(_store.Current).ShouldBeEmpty();
        _logger.Collector.GetSnapshot().Count(log => log.Exception is InvalidOperationException).ShouldBe(2);
    }

    [Fact]
    public async Task RegisterAsync_TwoLeases_EachExpiresAtItsOwnTime()
    {
        await _store.RegisterAsync(Registration("a", ttlSeconds: 10), CancellationToken.None);
        await _store.RegisterAsync(Registration("b", ttlSeconds: 5), CancellationToken.None);

        _time.Advance(TimeSpan.FromSeconds(5));
        var afterFive = Ids(Latest);
        _time.Advance(TimeSpan.FromSeconds(5));
        var afterTen = Ids(Latest);

        afterFive.ShouldBe(["a:8080"]);
        afterTen.ShouldBeEmpty();
    }

    [Fact]
    public async Task RenewAsync_BeforeTheLeaseEnds_ExtendsItByTheTtlFromNow()
    {
        await _store.RegisterAsync(Registration("a", ttlSeconds: 10), CancellationToken.None);
        _time.Advance(TimeSpan.FromSeconds(8));

        var renewed = await _store.RenewAsync(Service, "a:8080", CancellationToken.None);

        renewed.ShouldBeTrue();
        _time.Advance(TimeSpan.FromSeconds(9.9));
        Ids(Latest).ShouldBe(["a:8080"], "the renewed lease runs until 18 s");
        _time.Advance(TimeSpan.FromSeconds(0.1));
        Ids(Latest).ShouldBeEmpty();
    }

    [Fact]
    public async Task RenewAsync_OtherCaseOfServiceAndId_RenewsTheSameLease()
    {
        await _store.RegisterAsync(Registration("a", ttlSeconds: 10), CancellationToken.None);
        _time.Advance(TimeSpan.FromSeconds(8));

        var renewed = await _store.RenewAsync("ORDERS", "A:8080", CancellationToken.None);

        renewed.ShouldBeTrue();
        _time.Advance(TimeSpan.FromSeconds(9));
        Ids(Latest).ShouldBe(["a:8080"]);
    }

    [Fact]
    public async Task RenewAsync_Unknown_ReturnsFalse()
    {
        await _store.RegisterAsync(Registration("a", ttlSeconds: 10), CancellationToken.None);

        var renewed = await _store.RenewAsync(Service, "b:8080", CancellationToken.None);

        renewed.ShouldBeFalse();
    }

    [Fact]
    public async Task RenewAsync_AfterTheLeaseRanOut_ReturnsFalseAndDoesNotBringItBack()
    {
        await _store.RegisterAsync(Registration("a", ttlSeconds: 10), CancellationToken.None);
        _time.Advance(TimeSpan.FromSeconds(10));
        var published = _snapshots.Count;

        var renewed = await _store.RenewAsync(Service, "a:8080", CancellationToken.None);

        renewed.ShouldBeFalse();
        _snapshots.Count.ShouldBe(published);
        Ids(Latest).ShouldBeEmpty();
    }

    [Fact]
    public async Task RegisterAsync_WithoutTtl_NeverExpires()
    {
        await _store.RegisterAsync(Registration("a", ttlSeconds: null), CancellationToken.None);
        var published = _snapshots.Count;

        _time.Advance(TimeSpan.FromDays(30));

        _snapshots.Count.ShouldBe(published);
        Ids(Latest).ShouldBe(["a:8080"]);
        (await _store.RenewAsync(Service, "a:8080", CancellationToken.None)).ShouldBeTrue();
    }

    [Fact]
    public async Task RegisterAsync_AgainWithoutTtl_EndsTheLease()
    {
        await _store.RegisterAsync(Registration("a", ttlSeconds: 10), CancellationToken.None);

        await _store.RegisterAsync(Registration("a", ttlSeconds: null), CancellationToken.None);

        _time.Advance(TimeSpan.FromDays(1));
        Ids(Latest).ShouldBe(["a:8080"]);
    }

    [Fact]
    public async Task RemoveAsync_Registered_ReturnsTrueAndPublishesASnapshotWithoutIt()
    {
        await _store.RegisterAsync(Registration("a"), CancellationToken.None);
        await _store.RegisterAsync(Registration("b"), CancellationToken.None);

        var removed = await _store.RemoveAsync(Service, "a:8080", CancellationToken.None);

        removed.ShouldBeTrue();
        Ids(Latest).ShouldBe(["b:8080"]);
    }

    [Fact]
    public async Task RemoveAsync_Unknown_ReturnsFalseAndPublishesNothing()
    {
        await _store.RegisterAsync(Registration("a"), CancellationToken.None);
        var published = _snapshots.Count;

        var removed = await _store.RemoveAsync(Service, "b:8080", CancellationToken.None);

        removed.ShouldBeFalse();
        _snapshots.Count.ShouldBe(published);
    }

    [Fact]
    public async Task RemoveAsync_Draining_DropsTheDrainMarkToo()
    {
        await _store.RegisterAsync(Registration("a"), CancellationToken.None);
        await _store.MarkDrainingAsync(Service, "a:8080", CancellationToken.None);

        await _store.RemoveAsync(Service, "a:8080", CancellationToken.None);

        Latest.Draining.ShouldBeEmpty();
    }

    [Fact]
    public async Task RegisterAsync_SameHostAndPortAgain_RefreshesTheOneRegistration()
    {
        await _store.RegisterAsync(Registration("a", weight: 1), CancellationToken.None);

        await _store.RegisterAsync(Registration("a", weight: 5), CancellationToken.None);

        var registration = Latest.Instances.ShouldHaveSingleItem();
        registration.Id.ShouldBe("a:8080");
        registration.Weight.ShouldBe(5);
    }

    [Fact]
    public async Task RegisterAsync_AgainWithTtl_RestartsTheLease()
    {
        await _store.RegisterAsync(Registration("a", ttlSeconds: 10), CancellationToken.None);
        _time.Advance(TimeSpan.FromSeconds(8));

        await _store.RegisterAsync(Registration("a", ttlSeconds: 10), CancellationToken.None);

        _time.Advance(TimeSpan.FromSeconds(9));
        Ids(Latest).ShouldBe(["a:8080"]);
        _time.Advance(TimeSpan.FromSeconds(1));
        Ids(Latest).ShouldBeEmpty();
    }

    [Fact]
    public async Task RegisterAsync_WhileDraining_CallsTheDrainOff()
    {
        await _store.RegisterAsync(Registration("a"), CancellationToken.None);
        await _store.MarkDrainingAsync(Service, "a:8080", CancellationToken.None);
        Latest.Draining.ShouldBe([RegistrySnapshot.DrainKey(Service, "a:8080")]);

        await _store.RegisterAsync(Registration("a"), CancellationToken.None);

        Latest.Draining.ShouldBeEmpty();
        Ids(Latest).ShouldBe(["a:8080"]);
    }

    [Fact]
    public async Task MarkDrainingAsync_Registered_PublishesTheMarkWithTheInstanceStillThere()
    {
        await _store.RegisterAsync(Registration("a"), CancellationToken.None);

        await _store.MarkDrainingAsync(Service, "a:8080", CancellationToken.None);

        Latest.Draining.ShouldBe([RegistrySnapshot.DrainKey(Service, "a:8080")]);
        Ids(Latest).ShouldBe(["a:8080"]);
    }

    [Fact]
    public async Task MarkDrainingAsync_Twice_PublishesOnce()
    {
        await _store.RegisterAsync(Registration("a"), CancellationToken.None);
        await _store.MarkDrainingAsync(Service, "a:8080", CancellationToken.None);
        var published = _snapshots.Count;

        await _store.MarkDrainingAsync(Service, "a:8080", CancellationToken.None);

        _snapshots.Count.ShouldBe(published);
    }

    [Fact]
    public async Task ExpiryOfADrainingInstance_DropsItsDrainMark()
    {
        await _store.RegisterAsync(Registration("a", ttlSeconds: 10), CancellationToken.None);
        await _store.MarkDrainingAsync(Service, "a:8080", CancellationToken.None);

        _time.Advance(TimeSpan.FromSeconds(10));

        Ids(Latest).ShouldBeEmpty();
        Latest.Draining.ShouldBeEmpty();
    }

    [Fact]
    public async Task ConfigureServiceAsync_PublishesTheSettings()
    {
        var settings = new ServiceSettings("least_connections", "/status");

        await _store.ConfigureServiceAsync(Service, settings, CancellationToken.None);

        Latest.Settings.ShouldContainKeyAndValue(Service, settings);
        Latest.Settings["ORDERS"].ShouldBe(settings, "service names match case-insensitively");
    }

    [Fact]
    public async Task SetSplitAsync_PublishesTheWeightsAsAChangeOfTheService()
    {
        var weights = new Dictionary<string, int> { ["1"] = 90, ["2"] = 10 };

        await _store.SetSplitAsync(Service, weights, CancellationToken.None);

        Latest.Splits["ORDERS"].ShouldBe(weights, "service names match case-insensitively");
        Latest.Changed.ShouldNotBeNull().ShouldBe([Service]);
    }

    [Fact]
    public async Task RunAsync_Started_PublishesWhatIsRegisteredAndEndsWhenCancelled()
    {
        await _store.RegisterAsync(Registration("a"), CancellationToken.None);
        _snapshots.Clear();
        using var stop = new CancellationTokenSource();

        var running = _store.RunAsync(stop.Token);

        Ids(_snapshots.ShouldHaveSingleItem()).ShouldBe(["a:8080"]);
        _snapshots[0].Changed.ShouldBeNull("the first snapshot is a whole one");
        running.IsCompleted.ShouldBeFalse();
        await stop.CancelAsync();
        await running.WaitAsync(TimeSpan.FromSeconds(10));
    }

    [Fact]
    public async Task EveryChange_PublishesASnapshotNamingOnlyTheServiceItChanged()
    {
        await _store.RegisterAsync(Registration("a", ttlSeconds: 10), CancellationToken.None);
        await _store.RegisterAsync(Registration("b") with { Service = "billing" }, CancellationToken.None);
        await _store.MarkDrainingAsync("billing", "b:8080", CancellationToken.None);
        await _store.ConfigureServiceAsync("billing", new ServiceSettings("random", null), CancellationToken.None);
        await _store.RemoveAsync("billing", "b:8080", CancellationToken.None);
        _time.Advance(TimeSpan.FromSeconds(10));

        _snapshots.Select(snapshot => string.Join(",", snapshot.Changed.ShouldNotBeNull())).ShouldBe(
            ["orders", "billing", "billing", "billing", "billing", "orders"]);
        _snapshots[1].Services.Keys.Order(StringComparer.Ordinal).ShouldBe(["billing", "orders"]);
        Latest.Services.ShouldBeEmpty();
    }

    private static InstanceRegistration Registration(string host, int weight = 1, int? ttlSeconds = null) =>
        new(Service, host, TestInstances.Port, weight, "http", ttlSeconds);

    private static string[] Ids(RegistrySnapshot snapshot) => [.. snapshot.Instances.Select(i => i.Id).Order(StringComparer.Ordinal)];
}
