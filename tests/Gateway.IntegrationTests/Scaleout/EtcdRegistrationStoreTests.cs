using System.Collections.Concurrent;
using System.Diagnostics;
using dotnet_etcd;
using Gateway.Application.Registration;
using Gateway.Infrastructure.Registry;
using Gateway.IntegrationTests.Support;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Time.Testing;
using Xunit.Abstractions;

namespace Gateway.IntegrationTests.Scaleout;

/// <summary>
/// The etcd registration store against a real etcd: two stores on one etcd and prefix stand for two gateway replicas.
/// Every test has a prefix of its own on the shared etcd, except the outage test, which stops and starts its own.
/// </summary>
public sealed class EtcdRegistrationStoreTests(EtcdRegistrationStoreTests.SharedEtcd shared, ITestOutputHelper output)
    : IClassFixture<EtcdRegistrationStoreTests.SharedEtcd>
{
    private static readonly TimeSpan Deadline = TimeSpan.FromSeconds(15);

    /// <summary>Long enough for the store's retry backoff and the channel's reconnect after etcd returns.</summary>
    private static readonly TimeSpan ReconnectDeadline = TimeSpan.FromSeconds(60);

    [Fact]
    public async Task RegisterAsync_ThroughOneStore_ReachesTheOtherStoresSnapshot()
    {
        var prefix = UniquePrefix();
        await using var a = await RunningStore.StartAsync(shared.Etcd.ClientUrl, prefix);
        await using var b = await RunningStore.StartAsync(shared.Etcd.ClientUrl, prefix);
        var stopwatch = Stopwatch.StartNew();

        await a.Store.RegisterAsync(Registration("orders", 5001), CancellationToken.None);
        await b.WaitForAsync(s => Find(s, "orders", 5001) is not null, "the registration to reach store B");
        output.WriteLine($"Registration through A seen by B after {stopwatch.ElapsedMilliseconds} ms.");

        await a.Store.RegisterAsync(Registration("orders", 5001) with { Weight = 7 }, CancellationToken.None);
        await b.WaitForAsync(s => Find(s, "orders", 5001)?.Weight == 7, "the refreshed registration to reach store B");

        var instance = b.Latest.Instances.ShouldHaveSingleItem();
        instance.ShouldBe(Registration("orders", 5001) with { Weight = 7 });
        a.Store.State.Kind.ShouldBe("etcd");
        a.Store.State.Connected.ShouldBeTrue();
        a.Store.State.LastError.ShouldBeNull();
    }

    [Fact]
    public async Task RegisterAsync_WithTtlAndNoHeartbeat_ExpiresFromBothStores()
    {
        var prefix = UniquePrefix();
        await using var a = await RunningStore.StartAsync(shared.Etcd.ClientUrl, prefix);
        await using var b = await RunningStore.StartAsync(shared.Etcd.ClientUrl, prefix);

        await a.Store.RegisterAsync(Registration("orders", 5001, ttlSeconds: 2), CancellationToken.None);
        await a.WaitForAsync(s => Find(s, "orders", 5001) is not null, "the registration to reach store A");
        await b.WaitForAsync(s => Find(s, "orders", 5001) is not null, "the registration to reach store B");

        await a.WaitForAsync(s => s.Instances.Count == 0, "the lease to run out for store A");
        await b.WaitForAsync(s => s.Instances.Count == 0, "the lease to run out for store B");
        (await b.Store.RenewAsync("orders", "127.0.0.1:5001", CancellationToken.None)).ShouldBeFalse();

        // Each replica tells the expiry from a removal, once, with how long the instance had been registered.
        foreach (var store in new[] { a, b })
        {
            var expiry = store.Snapshots.SelectMany(snapshot => snapshot.Expired).ShouldHaveSingleItem();
            (expiry.Service, expiry.InstanceId, expiry.TtlSeconds).ShouldBe(("orders", "127.0.0.1:5001", 2));
            expiry.RegisteredFor.ShouldBeGreaterThan(TimeSpan.Zero);
            store.Entries.Count(e => e.Message.StartsWith("orders 127.0.0.1:5001 removed: no heartbeat within its 2 s lease, ", StringComparison.Ordinal))
                .ShouldBe(1);
        }
    }

    [Fact]
    public async Task SnapshotChanged_ASubscriberThrows_TheStoreFollowsOnAndTheOtherSubscribersGetEverySnapshot()
    {
        var prefix = UniquePrefix();
        await using var a = await RunningStore.StartAsync(shared.Etcd.ClientUrl, prefix);
        var failures = 0;
        a.Store.SnapshotChanged += _ =>
        {
            Interlocked.Increment(ref failures);
            throw new InvalidOperationException("subscriber bug");
        };
        var after = new ConcurrentQueue<RegistrySnapshot>();
        a.Store.SnapshotChanged += after.Enqueue;

        await a.Store.RegisterAsync(Registration("orders", 5001), CancellationToken.None);
        await a.Store.RegisterAsync(Registration("orders", 5002), CancellationToken.None);

        await Eventually.TrueAsync(() => after.Any(s => s.Instances.Count == 2), Deadline, "both registrations past the failing subscriber");
        a.Store.Current.Instances.Count.ShouldBe(2);
        a.Store.State.Connected.ShouldBeTrue("a subscriber's bug is not an etcd outage");
        a.Entries.Count(e => e.Level == LogLevel.Error && e.Message.Contains("subscriber failed", StringComparison.Ordinal)).ShouldBe(Volatile.Read(ref failures));
    }

    [Fact]
    public async Task RenewAsync_WithinTheTtl_KeepsTheInstancePastIt()
    {
        var prefix = UniquePrefix();
        await using var a = await RunningStore.StartAsync(shared.Etcd.ClientUrl, prefix);
        await using var b = await RunningStore.StartAsync(shared.Etcd.ClientUrl, prefix);
        await a.Store.RegisterAsync(Registration("orders", 5001, ttlSeconds: 2), CancellationToken.None);
        await b.WaitForAsync(s => Find(s, "orders", 5001) is not null, "the registration to reach store B");
        var renewals = new List<bool>();

        // Heartbeats at a quarter of the TTL, for twice the TTL, alternately through B in another spelling of the name.
        var stopwatch = Stopwatch.StartNew();
        using var heartbeat = new PeriodicTimer(TimeSpan.FromMilliseconds(500));
        while (stopwatch.Elapsed < TimeSpan.FromSeconds(4) && await heartbeat.WaitForNextTickAsync())
        {
            renewals.Add(renewals.Count % 2 == 0
                ? await a.Store.RenewAsync("orders", "127.0.0.1:5001", CancellationToken.None)
                : await b.Store.RenewAsync("ORDERS", "127.0.0.1:5001", CancellationToken.None));
        }

        renewals.ShouldAllBe(renewed => renewed);
        Find(a.Latest, "orders", 5001).ShouldNotBeNull();
        Find(b.Latest, "orders", 5001).ShouldNotBeNull();
        (await a.Store.RenewAsync("orders", "127.0.0.1:5999", CancellationToken.None)).ShouldBeFalse();
    }

    [Fact]
    public async Task RenewAsync_RegistrationWithoutTtl_IsTrue()
    {
        await using var a = await RunningStore.StartAsync(shared.Etcd.ClientUrl, UniquePrefix());
        await a.Store.RegisterAsync(Registration("orders", 5001), CancellationToken.None);

        var renewed = await a.Store.RenewAsync("orders", "127.0.0.1:5001", CancellationToken.None);

        renewed.ShouldBeTrue();
    }

    [Fact]
    public async Task RemoveAsync_DrainedInstance_RemovesItAndItsDrainMarkFromBothStores()
    {
        var prefix = UniquePrefix();
        await using var a = await RunningStore.StartAsync(shared.Etcd.ClientUrl, prefix);
        await using var b = await RunningStore.StartAsync(shared.Etcd.ClientUrl, prefix);
        await a.Store.RegisterAsync(Registration("orders", 5001, ttlSeconds: 60), CancellationToken.None);
        await a.Store.RegisterAsync(Registration("orders", 5002), CancellationToken.None);
        await a.Store.MarkDrainingAsync("orders", "127.0.0.1:5001", CancellationToken.None);
        await b.WaitForAsync(s => s.Draining.Contains("orders/127.0.0.1:5001") && s.Instances.Count == 2, "both instances and the drain mark");

        var removed = await b.Store.RemoveAsync("orders", "127.0.0.1:5001", CancellationToken.None);

        removed.ShouldBeTrue();
        await a.WaitForAsync(s => Find(s, "orders", 5001) is null, "the removal to reach store A");
        await b.WaitForAsync(s => Find(s, "orders", 5001) is null, "the removal to reach store B");
        a.Latest.Draining.ShouldBeEmpty();
        b.Latest.Draining.ShouldBeEmpty();
        b.Latest.Instances.ShouldHaveSingleItem().Port.ShouldBe(5002);
        (await a.Store.RemoveAsync("orders", "127.0.0.1:5001", CancellationToken.None)).ShouldBeFalse();
        a.Snapshots.Concat(b.Snapshots).ShouldAllBe(snapshot => snapshot.Expired.Count == 0, "a removal is not an expiry");
        a.Warnings().Concat(b.Warnings()).ShouldBeEmpty("the removal marker is a key the stores know");
    }

    [Fact]
    public async Task MarkDrainingAsync_RegisteredInstance_IsSeenByTheOtherStoreAndEndsWithItsLease()
    {
        var prefix = UniquePrefix();
        await using var a = await RunningStore.StartAsync(shared.Etcd.ClientUrl, prefix);
        await using var b = await RunningStore.StartAsync(shared.Etcd.ClientUrl, prefix);
        await a.Store.RegisterAsync(Registration("orders", 5001, ttlSeconds: 2), CancellationToken.None);

        await a.Store.MarkDrainingAsync("Orders", "127.0.0.1:5001", CancellationToken.None);

        await b.WaitForAsync(s => s.Draining.Contains("orders/127.0.0.1:5001"), "the drain mark to reach store B");
        await b.WaitForAsync(s => s.Instances.Count == 0 && s.Draining.Count == 0, "the mark to go with the instance's lease");
    }

    [Fact]
    public async Task RegisterAsync_DrainedInstanceAgain_ClearsTheDrainMark()
    {
        var prefix = UniquePrefix();
        await using var a = await RunningStore.StartAsync(shared.Etcd.ClientUrl, prefix);
        await using var b = await RunningStore.StartAsync(shared.Etcd.ClientUrl, prefix);
        await a.Store.RegisterAsync(Registration("orders", 5001), CancellationToken.None);
        await a.Store.MarkDrainingAsync("orders", "127.0.0.1:5001", CancellationToken.None);
        await b.WaitForAsync(s => s.Draining.Count == 1, "the drain mark to reach store B");

        await a.Store.RegisterAsync(Registration("orders", 5001, ttlSeconds: 30), CancellationToken.None);

        await b.WaitForAsync(s => s.Draining.Count == 0, "the drain mark to be cleared for store B");
        Find(b.Latest, "orders", 5001).ShouldNotBeNull().TtlSeconds.ShouldBe(30);
    }

    [Fact]
    public async Task ConfigureServiceAsync_Settings_AreSeenByTheOtherStore()
    {
        var prefix = UniquePrefix();
        await using var a = await RunningStore.StartAsync(shared.Etcd.ClientUrl, prefix);
        await using var b = await RunningStore.StartAsync(shared.Etcd.ClientUrl, prefix);
        await a.Store.RegisterAsync(Registration("orders", 5001), CancellationToken.None);

        await a.Store.ConfigureServiceAsync("orders", new ServiceSettings("least_connections", "/ready"), CancellationToken.None);

        await b.WaitForAsync(s => s.Settings.ContainsKey("ORDERS"), "the settings to reach store B");
        b.Latest.Settings["orders"].ShouldBe(new ServiceSettings("least_connections", "/ready"));
    }

    [Fact]
    public async Task RunAsync_UndecodableEntries_AreSkippedWithAWarning()
    {
        var prefix = UniquePrefix();
        using (var client = new EtcdClient(shared.Etcd.ClientUrl))
        {
            await client.PutAsync(prefix + "instances/orders/127.0.0.1:5001", "{ not json", deadline: DateTime.UtcNow.AddSeconds(5));
            await client.PutAsync(prefix + "instances/orders/127.0.0.1:5002", "{\"service\":\"billing\",\"host\":\"127.0.0.1\",\"port\":5002,\"weight\":1,\"scheme\":\"http\"}", deadline: DateTime.UtcNow.AddSeconds(5));
            await client.PutAsync(prefix + "settings/orders", "[]", deadline: DateTime.UtcNow.AddSeconds(5));
        }

        await using var a = await RunningStore.StartAsync(shared.Etcd.ClientUrl, prefix);
        await a.Store.RegisterAsync(Registration("orders", 5003), CancellationToken.None);

        await a.WaitForAsync(s => s.Instances.Count == 1, "the valid registration");
        a.Latest.Instances.ShouldHaveSingleItem().Port.ShouldBe(5003);
        a.Latest.Settings.ShouldBeEmpty();
        a.Warnings().Count(w => w.StartsWith("Ignoring " + prefix, StringComparison.Ordinal)).ShouldBeGreaterThanOrEqualTo(3);
    }

    [Fact]
    public async Task RunAsync_EtcdStoppedAndStarted_KeepsTheLastSnapshotThenCatchesUp()
    {
        await using var etcd = await EtcdServer.StartNewAsync();
        var prefix = UniquePrefix();
        await using var a = await RunningStore.StartAsync(etcd.ClientUrl, prefix);
        await using var b = await RunningStore.StartAsync(etcd.ClientUrl, prefix);
        await a.Store.RegisterAsync(Registration("orders", 5001), CancellationToken.None);
        await b.WaitForAsync(s => Find(s, "orders", 5001) is not null, "the registration to reach store B");
        var seenBeforeOutage = (A: a.Snapshots.Count, B: b.Snapshots.Count);

        await etcd.StopAsync();

        await Eventually.TrueAsync(() => !a.Store.State.Connected && !b.Store.State.Connected, Deadline, "both stores to notice the outage");
        b.Store.State.Since.ShouldNotBeNull();
        b.Store.State.LastError.ShouldNotBeNullOrWhiteSpace();
        await Should.ThrowAsync<RegistrationStoreUnavailableException>(
            () => a.Store.RegisterAsync(Registration("orders", 5002), CancellationToken.None));
        await Should.ThrowAsync<RegistrationStoreUnavailableException>(
            () => b.Store.RenewAsync("orders", "127.0.0.1:5001", CancellationToken.None));
        Find(a.Latest, "orders", 5001).ShouldNotBeNull();
        Find(b.Latest, "orders", 5001).ShouldNotBeNull();

        await etcd.StartAsync();

        await Eventually.TrueAsync(() => a.Store.State.Connected && b.Store.State.Connected, ReconnectDeadline, "both stores to reconnect");
        await a.Store.RegisterAsync(Registration("orders", 5003), CancellationToken.None);
        await b.WaitForAsync(s => Find(s, "orders", 5003) is not null, "a registration made after the restart to reach store B");

        // Nothing published during the outage or on the way back lost the registration made before it.
        a.Snapshots.Skip(seenBeforeOutage.A).ShouldAllBe(s => Find(s, "orders", 5001) != null);
        b.Snapshots.Skip(seenBeforeOutage.B).ShouldAllBe(s => Find(s, "orders", 5001) != null);
        Find(b.Latest, "orders", 5002).ShouldBeNull();
        foreach (var store in new[] { a, b })
        {
            store.Warnings().Count(w => w.Contains("cannot be reached", StringComparison.Ordinal)).ShouldBe(1);
            store.Entries.Count(e => e.Level == LogLevel.Information && e.Message.Contains("answers again", StringComparison.Ordinal)).ShouldBe(1);
        }
    }

    [Fact]
    public async Task RunAsync_EtcdFrozen_GivesUpTheSilentWatchKeepsTheSnapshotThenCatchesUp()
    {
        await using var etcd = await EtcdServer.StartNewAsync();
        var time = new FakeTimeProvider(DateTimeOffset.UtcNow);
        await using var a = await RunningStore.StartAsync(etcd.ClientUrl, UniquePrefix(), time);
        await a.Store.RegisterAsync(Registration("orders", 5001), CancellationToken.None);
        await a.WaitForAsync(s => Find(s, "orders", 5001) is not null, "the registration to reach the store");
        await Eventually.TrueAsync(() => a.Store.State.Connected, Deadline, "the store to watch");
        var seenBeforeFreeze = a.Snapshots.Count;

        etcd.Freeze();

        // Nothing breaks the connection: only the store's watchdog, on its clock, can tell that etcd went silent.
        var frozenAt = time.GetTimestamp();
        await Eventually.TrueAsync(
            () =>
            {
                time.Advance(TimeSpan.FromSeconds(1));
                return !a.Store.State.Connected;
            },
            Deadline,
            "the store to give up the silent watch");
        time.GetElapsedTime(frozenAt).ShouldBeGreaterThanOrEqualTo(TimeSpan.FromSeconds(15), "a quiet watch is asked for progress first");
        a.Store.State.LastError.ShouldNotBeNull().ShouldContain("did not answer on the watch");
        Find(a.Latest, "orders", 5001).ShouldNotBeNull();

        etcd.Thaw();

        await Eventually.TrueAsync(
            () =>
            {
                time.Advance(TimeSpan.FromSeconds(1));
                return a.Store.State.Connected;
            },
            ReconnectDeadline,
            "the store to reconnect");
        await a.Store.RegisterAsync(Registration("orders", 5002), CancellationToken.None);
        await a.WaitForAsync(s => Find(s, "orders", 5002) is not null, "a registration made after the thaw to reach the store");
        a.Snapshots.Skip(seenBeforeFreeze).ShouldAllBe(s => Find(s, "orders", 5001) != null);
        a.Warnings().Count(w => w.Contains("cannot be reached", StringComparison.Ordinal)).ShouldBe(1);
    }

    private static string UniquePrefix() => $"/gateway-tests/{Guid.NewGuid():N}/";

    private static InstanceRegistration Registration(string service, int port, int? ttlSeconds = null) =>
        new(service, "127.0.0.1", port, Weight: 1, Scheme: "http", ttlSeconds);

    private static InstanceRegistration? Find(RegistrySnapshot snapshot, string service, int port) =>
        snapshot.Instances.FirstOrDefault(i => string.Equals(i.Service, service, StringComparison.OrdinalIgnoreCase) && i.Port == port);

    /// <summary>One etcd for the tests of this class that do not stop it; each test keeps to a prefix of its own.</summary>
    public sealed class SharedEtcd : IAsyncLifetime
    {
        public EtcdServer Etcd { get; private set; } = null!;

        public async Task InitializeAsync() => Etcd = await EtcdServer.StartNewAsync();

        public async Task DisposeAsync() => await Etcd.DisposeAsync();
    }

    /// <summary>A store following etcd, as a replica's background worker runs it, with what it published and logged.</summary>
    private sealed class RunningStore : IAsyncDisposable
    {
        private readonly CancellationTokenSource _stop = new();
        private readonly RecordingLogger _logger = new();
        private Task _run = Task.CompletedTask;
        private volatile RegistrySnapshot? _latest;

        private RunningStore(string endpoints, string prefix, TimeProvider time)
        {
            Store = new EtcdRegistrationStore(new EtcdStoreSettings(endpoints, prefix), time, _logger);
            Store.SnapshotChanged += snapshot =>
            {
                Snapshots.Enqueue(snapshot);
                _latest = snapshot;
            };
        }

        public EtcdRegistrationStore Store { get; }

        public ConcurrentQueue<RegistrySnapshot> Snapshots { get; } = new();

        /// <summary>The snapshot published last; the store publishes one as soon as it has loaded.</summary>
        public RegistrySnapshot Latest => _latest ?? throw new InvalidOperationException("No snapshot was published yet.");

        public IEnumerable<(LogLevel Level, string Message)> Entries => _logger.Entries;

        /// <summary>Starts following etcd and waits for the first snapshot.</summary>
        public static async Task<RunningStore> StartAsync(string endpoints, string prefix, TimeProvider? time = null)
        {
            var running = new RunningStore(endpoints, prefix, time ?? TimeProvider.System);
            running._run = running.Store.RunAsync(running._stop.Token);
            await Eventually.TrueAsync(() => running._latest is not null, Deadline, "the store's first load");
            return running;
        }

        public IEnumerable<string> Warnings() => _logger.Entries.Where(e => e.Level == LogLevel.Warning).Select(e => e.Message);

        public Task WaitForAsync(Func<RegistrySnapshot, bool> condition, string because) =>
            Eventually.TrueAsync(() => _latest is { } snapshot && condition(snapshot), Deadline, because);

        public async ValueTask DisposeAsync()
        {
            await _stop.CancelAsync();
            await _run;
            Store.Dispose();
            _stop.Dispose();
        }
    }

    private sealed class RecordingLogger : ILogger<EtcdRegistrationStore>
    {
        public ConcurrentQueue<(LogLevel Level, string Message)> Entries { get; } = new();

        public IDisposable? BeginScope<TState>(TState state)
            where TState : notnull => null;

        public bool IsEnabled(LogLevel logLevel) => true;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter) =>
            Entries.Enqueue((logLevel, formatter(state, exception)));
    }
}
