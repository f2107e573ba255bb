using Gateway.Application.Operations;
using Gateway.Application.Registration;
using Gateway.Domain;
using Gateway.Domain.LoadBalancing;
using Gateway.UnitTests.TestSupport;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Testing;

namespace Gateway.UnitTests.Application.Registration;

public sealed class RegistryComposerTests
{
    private readonly FakeLogger<RegistryComposer> _logger = new();
    private readonly EventTimeline _timeline = new(TimeProvider.System);
    private readonly StaticServices _statics = new(
    [
        new ServiceDefinition("orders", LoadBalancerNames.LeastConnections, "/ready", [new InstanceDefinition("a", TestInstances.Port)]),
    ]);

    private readonly ServiceRegistry _registry;
    private readonly RegistryComposer _composer;

    public RegistryComposerTests()
    {
        _registry = new ServiceRegistry(new LoadBalancerFactory(), _statics.Definitions);
        _composer = new RegistryComposer(_registry, _statics, _timeline, new InstanceOverrides(_timeline, TimeProvider.System), _logger);
    }

    [Fact]
    public void Apply_StaticServicesAndRegistrations_MergesThem()
    {
        var snapshot = Snapshot(Registration("orders", "b"), Registration("billing", "c", port: 9000));

        _composer.Apply(snapshot);

        Ids("orders").ShouldBe(["a:8080", "b:8080"]);
        Ids("billing").ShouldBe(["c:9000"]);
        Instance("orders", "a:8080").IsDynamic.ShouldBeFalse();
        Instance("orders", "b:8080").IsDynamic.ShouldBeTrue();
        Instance("billing", "c:9000").IsDynamic.ShouldBeTrue();
    }

    [Fact]
    public void Apply_InstancesComingAndGoing_AreOnTheTimeline_ThoseThatStayAreNot()
    {
        _composer.Apply(Snapshot(Registration("orders", "b"), Registration("billing", "c", port: 9000)));
        _composer.Apply(Snapshot(Registration("orders", "b"), Registration("orders", "d")));

        _timeline.Latest(10).Reverse().Select(e => $"{e.Kind} {e.Service} {e.Instance}").ShouldBe(
        [
            "registered orders b:8080",
            "registered billing c:9000",
            "registered orders d:8080",
            "removed billing c:9000",
        ], ignoreOrder: true);
    }

    [Fact]
    public void Apply_InstanceWhoseLeaseRanOut_IsRemovedOnTheTimelineWithTheExpiryAsCause()
    {
        _composer.Apply(Snapshot(Registration("billing", "c"), Registration("billing", "d")));

        _composer.Apply(Snapshot(Registration("billing", "d")) with { Expired = [new LeaseExpiry("BILLING", "C:8080", 10, TimeSpan.FromSeconds(95))] });
        _composer.Apply(Snapshot());

        _timeline.Latest(2).Select(e => $"{e.Kind} {e.Instance}: {e.Cause}").ShouldBe(
        [
            "removed d:8080: registration store",
            "removed c:8080: lease expired: no heartbeat within its 10 s lease, 95 s after it registered",
        ]);
    }

    [Fact]
    public void Apply_OverridesInTheSnapshot_AreOnTheInstancesUntilASnapshotWithoutThem()
    {
        var decision = new InstanceOverride("kernel upgrade", TestServices.Now, null, "ab12cd34");
        var overridden = new Dictionary<string, InstanceOverride>(StringComparer.OrdinalIgnoreCase) { ["ORDERS/A:8080"] = decision };

        _composer.Apply(Snapshot(Registration("orders", "b")) with { Overrides = overridden });
        var set = Instance("orders", "a:8080").Override;
        _composer.Apply(Snapshot(Registration("orders", "b")) with { Overrides = overridden });
        _composer.Apply(Snapshot(Registration("orders", "b")));

        set.ShouldBe(decision);
        Instance("orders", "a:8080").Override.ShouldBeNull();
        _timeline.Latest(10).Where(e => e.Kind.StartsWith("override", StringComparison.Ordinal)).Select(e => $"{e.Kind}: {e.Cause}").ShouldBe(
        [
            "override_ended: restored through another replica",
            "override: taken out by ab12cd34 until restored: kernel upgrade",
        ]);
    }

    [Fact]
    public void Apply_RegistrationInAStaticService_KeepsTheServicesConfiguredSettings()
    {
        var snapshot = Snapshot(Registration("orders", "b")) with
        {
            Settings = new Dictionary<string, ServiceSettings> { ["orders"] = new(LoadBalancerNames.Random, "/other") },
        };

        _composer.Apply(snapshot);

        var orders = Service("orders");
        orders.LoadBalancer.Name.ShouldBe(LoadBalancerNames.LeastConnections);
        orders.HealthCheckPath.ShouldBe("/ready");
    }

    [Fact]
    public void Apply_RegistrationWithAStaticInstancesAddress_DoesNotDuplicateIt()
    {
        var snapshot = Snapshot(Registration("ORDERS", "A", weight: 7));

        _composer.Apply(snapshot);

        var instance = Service("orders").Instances.ShouldHaveSingleItem();
        instance.Id.ShouldBe("a:8080");
        instance.IsDynamic.ShouldBeFalse();
        instance.Weight.ShouldBe(1);
    }

    [Fact]
    public void Apply_NewServiceWithoutSettings_GetsRoundRobinAndHealth()
    {
        var snapshot = Snapshot(Registration("billing", "c"));

        _composer.Apply(snapshot);

        var billing = Service("billing");
        billing.LoadBalancer.Name.ShouldBe(LoadBalancerNames.RoundRobin);
        billing.HealthCheckPath.ShouldBe("/health");
    }

    [Fact]
    public void Apply_NewServiceWithSettings_UsesThemWithTheStrategysCanonicalName()
    {
        var snapshot = Snapshot(Registration("billing", "c")) with
        {
            Settings = new Dictionary<string, ServiceSettings>(StringComparer.OrdinalIgnoreCase)
            {
                ["BILLING"] = new("LeastConnections", "/status"),
            },
        };

        _composer.Apply(snapshot);

        var billing = Service("billing");
        billing.LoadBalancer.Name.ShouldBe(LoadBalancerNames.LeastConnections);
        billing.HealthCheckPath.ShouldBe("/status");
    }

    [Fact]
    public void Apply_InvalidSettingsInTheStore_FallBackToTheDefaults()
    {
        var snapshot = Snapshot(Registration("billing", "c")) with
        {
            Settings = new Dictionary<string, ServiceSettings> { ["billing"] = new("fastest", "status") },
        };

        _composer.Apply(snapshot);

        var billing = Service("billing");
        billing.LoadBalancer.Name.ShouldBe(LoadBalancerNames.RoundRobin);
        billing.HealthCheckPath.ShouldBe("/health");
    }

    [Theory]
    [InlineData("health", "c", 8080, "name")]
    [InlineData("bad name", "c", 8080, "name")]
    [InlineData("billing", "bad host", 8080, "host")]
    [InlineData("billing", "c", 0, "port")]
    [InlineData("billing", "c", 70000, "port")]
    public void Apply_InvalidRegistrationInTheSnapshot_IsSkippedAndLoggedAndTheRestApplied(
        string service, string host, int port, string field)
    {
        var snapshot = Snapshot(Registration(service, host, port: port), Registration("billing", "d"));

        _composer.Apply(snapshot);

        Ids("billing").ShouldBe(["d:8080"]);
        Ids("orders").ShouldBe(["a:8080"]);
        var warning = _logger.Collector.GetSnapshot().ShouldHaveSingleItem();
        warning.Level.ShouldBe(LogLevel.Warning);
        warning.GetStructuredStateValue("Service").ShouldBe(service);
        warning.GetStructuredStateValue("Problem").ShouldNotBeNull().ShouldStartWith(field + ":");
    }

    [Fact]
    public void Apply_InvalidWeightSchemeOrTtl_AreSkippedToo()
    {
        var snapshot = Snapshot(
            Registration("billing", "c", weight: 0),
            Registration("billing", "d") with { Scheme = "ftp" },
            Registration("billing", "e") with { TtlSeconds = 0 },
            Registration("billing", "f"));

        _composer.Apply(snapshot);

        Ids("billing").ShouldBe(["f:8080"]);
        _logger.Collector.GetSnapshot().Select(entry => entry.GetStructuredStateValue("Problem")!.Split(':')[0]).ShouldBe(["weight", "scheme", "ttlSeconds"]);
    }

    [Fact]
    public void Apply_DrainMarks_TakeTheMarkedInstancesOutOfRotation()
    {
        var snapshot = Snapshot(Registration("orders", "b"), Registration("billing", "c")) with
        {
            Draining = new HashSet<string>(StringComparer.OrdinalIgnoreCase)
            {
                RegistrySnapshot.DrainKey("orders", "a:8080"),
                RegistrySnapshot.DrainKey("billing", "c:8080"),
            },
        };

        _composer.Apply(snapshot);

        Instance("orders", "a:8080").IsDraining.ShouldBeTrue("a configured instance can be drained");
        Instance("orders", "b:8080").IsDraining.ShouldBeFalse();
        Instance("billing", "c:8080").IsDraining.ShouldBeTrue();
        Service("orders").AvailableInstances.Select(i => i.Id).ShouldBe(["b:8080"]);
        Service("billing").AvailableInstances.ShouldBeEmpty();
    }

    [Fact]
    public void Apply_DrainMarkGone_PutsTheInstanceBackInRotation()
    {
        var drained = Snapshot(Registration("billing", "c")) with
        {
            Draining = new HashSet<string> { RegistrySnapshot.DrainKey("billing", "c:8080") },
        };
        _composer.Apply(drained);

        _composer.Apply(Snapshot(Registration("billing", "c")));

        Instance("billing", "c:8080").IsDraining.ShouldBeFalse();
        Service("billing").AvailableInstances.Select(i => i.Id).ShouldBe(["c:8080"]);
    }

    [Fact]
    public void Apply_AgainWithTheSameInstances_KeepsTheSameObjectsAndTheirHealth()
    {
        _composer.Apply(Snapshot(Registration("billing", "c")));
        var before = Instance("billing", "c:8080");
        var staticBefore = Instance("orders", "a:8080");
        TestServices.TakeOut(before);
        before.BeginRequest();

        _composer.Apply(Snapshot(Registration("billing", "c"), Registration("billing", "d")));

        var after = Instance("billing", "c:8080");
        after.ShouldBeSameAs(before);
        after.Health.IsHealthy.ShouldBeFalse();
        after.ActiveRequests.ShouldBe(1);
        Instance("orders", "a:8080").ShouldBeSameAs(staticBefore);
    }

    [Fact]
    public void Apply_RegistrationGone_RemovesItsInstanceAndAnEmptyDynamicService()
    {
        _composer.Apply(Snapshot(Registration("orders", "b"), Registration("billing", "c")));

        _composer.Apply(RegistrySnapshot.Empty);

        Ids("orders").ShouldBe(["a:8080"]);
        _registry.TryGetService("billing", out _).ShouldBeFalse();
    }

    [Fact]
    public void Apply_ChangeNamingServices_RebuildsThoseAndLeavesTheOthersAsTheyAre()
    {
        _composer.Apply(Snapshot(Registration("billing", "c"), Registration("payments", "p")));
        var payments = Service("payments");

        _composer.Apply(Snapshot(Registration("billing", "d"), Registration("orders", "b")) with { Changed = Names("billing", "payments") });

        Ids("billing").ShouldBe(["d:8080"]);
        _registry.TryGetService("payments", out _).ShouldBeFalse("its last registration is gone");
        Ids("orders").ShouldBe(["a:8080"], "orders was not named as changed");
        payments.Instances.ShouldNotBeEmpty();
    }

    [Fact]
    public void Apply_ChangeNamingAConfiguredService_KeepsItsConfiguredInstances()
    {
        _composer.Apply(Snapshot());

        _composer.Apply(Snapshot(Registration("orders", "b")) with { Changed = Names("orders") });
        _composer.Apply(Snapshot() with { Changed = Names("orders") });

        Ids("orders").ShouldBe(["a:8080"]);
        Service("orders").LoadBalancer.Name.ShouldBe(LoadBalancerNames.LeastConnections);
    }

    [Fact]
    public void Apply_ChangeBeforeAnyWholeSnapshot_AppliesEveryService()
    {
        _composer.Apply(Snapshot(Registration("billing", "c"), Registration("orders", "b")) with { Changed = Names("billing") });

        Ids("billing").ShouldBe(["c:8080"]);
        Ids("orders").ShouldBe(["a:8080", "b:8080"]);
    }

    private static HashSet<string> Names(params string[] services) => new(services, StringComparer.OrdinalIgnoreCase);

    private static RegistrySnapshot Snapshot(params InstanceRegistration[] instances) =>
        new(instances, RegistrySnapshot.Empty.Settings, RegistrySnapshot.Empty.Draining);

    private static InstanceRegistration Registration(string service, string host, int port = TestInstances.Port, int weight = 1) =>
        new(service, host, port, weight, "http", TtlSeconds: null);

    private Service Service(string name) =>
        _registry.TryGetService(name, out var service) ? service : throw new ShouldAssertException($"No service {name}.");

    private Instance Instance(string service, string id) =>
        Service(service).FindInstance(id) ?? throw new ShouldAssertException($"No instance {id} in {service}.");

    private string[] Ids(string service) => [.. Service(service).Instances.Select(i => i.Id)];
}
