using Gateway.Domain;
using Gateway.Domain.LoadBalancing;
using Gateway.Domain.Traffic;
using Gateway.UnitTests.TestSupport;

namespace Gateway.UnitTests.Domain.Traffic;

public sealed class ServiceVersionsTests
{
    /// <summary>Three quarters of the 64-bit range, where a 75/25 split changes version.</summary>
    private const ulong ThreeQuarters = 3UL << 62;

    [Fact]
    public void Build_PlainService_HasNoVersions()
    {
        var service = TestServices.Create(LoadBalancerNames.RoundRobin, 2);

        service.Versions.ShouldBeNull();
    }

    [Fact]
    public void Build_InstancesWithVersions_GroupsThemOncePerChange()
    {
        var service = Versioned([("a", "2"), ("b", "1"), ("c", "2")]);

        var versions = service.Versions.ShouldNotBeNull();
        versions.Names.ShouldBe(["1", "2"]);
        versions.Routing.ShouldBe(VersionRouting.Standard);
        TestInstances.Hosts(versions.Find("2")!.AvailableInstances).ShouldBe("a c");
        TestInstances.Hosts(versions.Find("1")!.AvailableInstances).ShouldBe("b");
    }

    [Fact]
    public void PickInstance_WithinVersion_NeverLeavesIt()
    {
        var version = Versioned([("a", "1"), ("b", "2"), ("c", "2")]).Versions!.Find("2")!;

        var picks = Enumerable.Range(0, 10).Select(_ => version.PickInstance()).ToList();

        TestInstances.Hosts(picks).ShouldBe("b c b c b c b c b c");
    }

    [Fact]
    public void AvailableInstances_HealthChange_IsSeenByTheVersion()
    {
        var service = Versioned([("a", "1"), ("b", "2")]);
        var two = service.Versions!.Find("2")!;

        TestServices.TakeOut(service.Instances[1]);
        var whileOut = two.AvailableInstances.Count;
        TestServices.PutBack(service.Instances[1]);

        whileOut.ShouldBe(0);
        two.AvailableInstances.ShouldHaveSingleItem().ShouldBeSameAs(service.Instances[1]);
    }

    [Fact]
    public void PickInstanceOtherThan_TriedInstance_StaysWithinVersion()
    {
        var service = Versioned([("a", "1"), ("b", "2"), ("c", "2")]);
        var two = service.Versions!.Find("2")!;

        var next = two.PickInstanceOtherThan([service.Instances[1]]);
        var none = two.PickInstanceOtherThan([service.Instances[1], service.Instances[2]]);

        next.ShouldBeSameAs(service.Instances[2]);
        none.ShouldBeNull();
    }

    [Fact]
    public void ChooseBySplit_DownVersion_GetsNoShare()
    {
        var service = Versioned([("a", "1"), ("b", "2")], ("1", 50), ("2", 50));
        var versions = service.Versions!;

        TestServices.TakeOut(service.Instances[0]);

        versions.ChooseBySplit(0).ShouldBe(versions.Find("2"));
        versions.ChooseBySplit(ulong.MaxValue).ShouldBe(versions.Find("2"));
        TestServices.TakeOut(service.Instances[1]);
        versions.ChooseBySplit(0).ShouldBeNull();
    }

    [Fact]
    public void ChooseBySplit_CutsTheRangeInVersionOrder()
    {
        var versions = Versioned([("a", "1"), ("b", "2")], ("2", 25), ("1", 75)).Versions!;

        versions.ChooseBySplit(0).ShouldBe(versions.Find("1"));
        versions.ChooseBySplit(ThreeQuarters - 1).ShouldBe(versions.Find("1"));
        versions.ChooseBySplit(ThreeQuarters).ShouldBe(versions.Find("2"));
        versions.ChooseBySplit(ulong.MaxValue).ShouldBe(versions.Find("2"));
    }

    [Fact]
    public void Upsert_SameInstancesAgain_KeepsTheVersionStrategy()
    {
        var registry = new ServiceRegistry(new LoadBalancerFactory());
        var definition = Definition([("a", "1"), ("b", "1")]);
        var before = registry.Upsert(definition).Versions!.Find("1")!;

        var after = registry.Upsert(definition with { Split = TrafficSplit.Create([new("1", 1)], null) }).Versions!.Find("1")!;

        after.LoadBalancer.ShouldBeSameAs(before.LoadBalancer);
        after.Instances.ShouldBe(before.Instances);
    }

    [Theory]
    [InlineData("header:X-User", StickyKind.Header, "X-User")]
    [InlineData("Cookie: session ", StickyKind.Cookie, "session")]
    [InlineData("claim:sub", StickyKind.Claim, "sub")]
    [InlineData("client_ip", StickyKind.ClientIp, null)]
    public void StickyKey_TryParse_ReadsEachKind(string text, StickyKind kind, string? name)
    {
        StickyKey.TryParse(text, out var key).ShouldBeTrue();

        key.ShouldBe(new StickyKey(kind, name));
    }

    [Theory]
    [InlineData(null)]
    [InlineData("header:")]
    [InlineData("query:x")]
    [InlineData("ip")]
    public void StickyKey_TryParse_RefusesOthers(string? text) => StickyKey.TryParse(text, out _).ShouldBeFalse();

    /// <summary>A service of instances on the given hosts and versions, with a split when weights are given.</summary>
    internal static Service Versioned((string Host, string Version)[] instances, params (string Version, int Weight)[] split) =>
        Versioned(instances, null, split);

    internal static Service Versioned(
        (string Host, string Version)[] instances, VersionRouting? routing, (string Version, int Weight)[] split, StickyKey? stickyBy = null) =>
        new ServiceRegistry(new LoadBalancerFactory()).Upsert(Definition(instances) with
        {
            Versioning = routing,
            Split = split.Length == 0 ? null : TrafficSplit.Create(split.Select(s => new KeyValuePair<string, int>(s.Version, s.Weight)), stickyBy),
        });

    private static ServiceDefinition Definition((string Host, string Version)[] instances) =>
        TestServices.Define(
            "orders",
            LoadBalancerNames.RoundRobin,
            [.. instances.Select(instance => new InstanceDefinition(instance.Host, TestInstances.Port) { Version = instance.Version })]);
}
