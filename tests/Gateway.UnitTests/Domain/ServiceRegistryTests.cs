using Gateway.Domain;
using Gateway.Domain.LoadBalancing;
using Gateway.UnitTests.TestSupport;

namespace Gateway.UnitTests.Domain;

public sealed class ServiceRegistryTests
{
    private static readonly InstanceDefinition A = new("a", 8001);
    private static readonly InstanceDefinition B = new("b", 8002);
    private static readonly InstanceDefinition C = new("c", 8003);

    [Fact]
    public void Constructor_NoFactory_Throws()
    {
        var create = () => new ServiceRegistry(null!);

        create.ShouldThrow<ArgumentNullException>();
    }

    [Fact]
    public void Constructor_NoDefinitions_IsEmpty()
    {
        var registry = NewRegistry();

        registry.Count.ShouldBe(0);
        registry.Services.ShouldBeEmpty();
        registry.TryGetService("orders", out _).ShouldBeFalse();
    }

    [Fact]
    public void Constructor_Definitions_HoldsEachService()
    {
        var registry = NewRegistry(Orders(A, B), Users(C));

        var names = registry.Services.Select(service => service.Name).Order(StringComparer.Ordinal);

        registry.Count.ShouldBe(2);
        names.ShouldBe(["orders", "users"]);
    }

    [Theory]
    [InlineData("orders")]
    [InlineData("Orders")]
    [InlineData("ORDERS")]
    public void TryGetService_NameInAnyCase_FindsIt(string name)
    {
        var registry = NewRegistry(Orders(A, B));

        var found = registry.TryGetService(name, out var service);

        found.ShouldBeTrue();
        service.ShouldNotBeNull().Name.ShouldBe("orders");
    }

    [Fact]
    public void TryGetService_UnknownName_ReturnsFalse()
    {
        var registry = NewRegistry(Orders(A, B));

        var found = registry.TryGetService("payments", out var service);

        found.ShouldBeFalse();
        service.ShouldBeNull();
    }

    [Fact]
    public void ReplaceAll_SameServiceTwiceInAnyCase_ThrowsNamingIt()
    {
        var registry = NewRegistry();

        var replace = () => registry.ReplaceAll([Orders(A), Define("Orders", LoadBalancerNames.Random, B)]);

        replace.ShouldThrow<ArgumentException>().Message.ShouldContain("Service 'Orders' is defined twice");
    }

    [Fact]
    public void ReplaceAll_SameInstanceTwiceInAService_ThrowsNamingItAndTheService()
    {
        var registry = NewRegistry();

        var replace = () => registry.ReplaceAll([Orders(A, B, new InstanceDefinition("a", 8001, Weight: 3))]);

        replace.ShouldThrow<ArgumentException>().Message
            .ShouldContain("Instance 'a:8001' appears twice in service 'orders'");
    }

    [Fact]
    public void Upsert_SameInstanceTwiceInAnotherCase_ThrowsNamingIt()
    {
        var registry = NewRegistry();

        var upsert = () => registry.Upsert(Orders(new InstanceDefinition("API.internal", 80), new InstanceDefinition("api.internal", 80)));

        upsert.ShouldThrow<ArgumentException>().Message.ShouldContain("appears twice in service 'orders'");
    }

    [Fact]
    public void ReplaceAll_SameInstanceInTwoServices_IsAllowed()
    {
        var registry = NewRegistry();

        registry.ReplaceAll([Orders(A), Users(A)]);

        registry.Count.ShouldBe(2);
    }

    [Fact]
    public void ReplaceAll_UnknownStrategy_ThrowsNamingIt()
    {
        var registry = NewRegistry();

        var replace = () => registry.ReplaceAll([Define("orders", "fastest_first", A)]);

        replace.ShouldThrow<ArgumentException>().Message.ShouldContain("'fastest_first'");
    }

    [Theory]
    [InlineData("admin")]
    [InlineData("Health")]
    [InlineData("orders/v1")]
    [InlineData("..")]
    public void Upsert_InvalidName_ThrowsNamingIt(string name)
    {
        var registry = NewRegistry();

        var upsert = () => registry.Upsert(Define(name, LoadBalancerNames.RoundRobin, A));

        upsert.ShouldThrow<ArgumentException>().Message.ShouldContain($"'{name}'");
    }

    [Fact]
    public void Upsert_HealthCheckPathWithoutLeadingSlash_ThrowsNamingItAndTheService()
    {
        var registry = NewRegistry();

        var upsert = () => registry.Upsert(new ServiceDefinition("orders", LoadBalancerNames.RoundRobin, "health", [A]));

        upsert.ShouldThrow<ArgumentException>().Message
            .ShouldContain("Health check path 'health' of service 'orders' does not start with '/'");
    }

    [Fact]
    public void Upsert_InvalidInstance_ThrowsNamingTheValue()
    {
        var registry = NewRegistry();

        var upsert = () => registry.Upsert(Orders(A, new InstanceDefinition("b", 70000)));

        upsert.ShouldThrow<ArgumentOutOfRangeException>().Message.ShouldContain("Port 70000");
    }

    [Fact]
    public void Upsert_InvalidDefinition_LeavesTheRegistryAsItWas()
    {
        var registry = NewRegistry(Orders(A, B));
        registry.TryGetService("orders", out var before);

        Should.Throw<ArgumentException>(() => registry.Upsert(Define("orders", "fastest_first", A)));

        registry.TryGetService("orders", out var after).ShouldBeTrue();
        after.ShouldBeSameAs(before);
    }

    [Fact]
    public void ReplaceAll_OneInvalidDefinition_LeavesTheRegistryAsItWas()
    {
        var registry = NewRegistry(Orders(A, B));
        registry.TryGetService("orders", out var before);

        Should.Throw<ArgumentException>(() => registry.ReplaceAll([Orders(A), Users(C), Define("admin", LoadBalancerNames.Random, C)]));

        registry.Count.ShouldBe(1);
        registry.TryGetService("orders", out var after).ShouldBeTrue();
        after.ShouldBeSameAs(before);
        registry.TryGetService("users", out _).ShouldBeFalse();
    }

    [Fact]
    public void ReplaceAll_OneInvalidDefinition_LiveServiceStillFollowsItsInstancesHealth()
    {
        var registry = NewRegistry(Orders(A, B));
        registry.TryGetService("orders", out var orders);
        var a = orders!.Instances[0];
        Should.Throw<ArgumentException>(() => registry.ReplaceAll([Orders(A, B), Define("admin", LoadBalancerNames.Random, C)]));

        TestServices.TakeOut(a);

        TestInstances.Hosts(orders.AvailableInstances).ShouldBe("b");
        TestServices.PickMany(orders, 3).ShouldAllBe(picked => picked != a);
    }

    [Fact]
    public void Upsert_NewService_AddsItAndReturnsIt()
    {
        var registry = NewRegistry(Orders(A));

        var added = registry.Upsert(Users(B, C));

        registry.Count.ShouldBe(2);
        registry.TryGetService("users", out var found).ShouldBeTrue();
        found.ShouldBeSameAs(added);
        TestInstances.Hosts(added.Instances).ShouldBe("b c");
    }

    [Fact]
    public void Upsert_UnchangedDefinition_CarriesOverTheInstancesAndTheStrategy()
    {
        var registry = NewRegistry();
        var before = registry.Upsert(Orders(A, B));

        var after = registry.Upsert(Orders(A, B));

        after.ShouldNotBeSameAs(before);
        after.LoadBalancer.ShouldBeSameAs(before.LoadBalancer);
        after.Instances[0].ShouldBeSameAs(before.Instances[0]);
        after.Instances[1].ShouldBeSameAs(before.Instances[1]);
    }

    [Fact]
    public void Upsert_NameInAnotherCase_ReplacesTheServiceAndCarriesItOver()
    {
        var registry = NewRegistry();
        var before = registry.Upsert(Orders(A));

        var after = registry.Upsert(Define("ORDERS", LoadBalancerNames.RoundRobin, A));

        registry.Count.ShouldBe(1);
        registry.TryGetService("orders", out var found).ShouldBeTrue();
        found.ShouldBeSameAs(after);
        after.Instances[0].ShouldBeSameAs(before.Instances[0]);
    }

    [Fact]
    public void Upsert_InstanceAddedAndRemoved_CarriesOverOnlyTheOnesThatStay()
    {
        var registry = NewRegistry();
        var before = registry.Upsert(Orders(A, B));

        var after = registry.Upsert(Orders(B, C));

        after.Instances[0].ShouldBeSameAs(before.Instances[1]);
        after.Instances[1].Id.ShouldBe("c:8003");
        after.FindInstance("a:8001").ShouldBeNull();
        after.LoadBalancer.ShouldBeSameAs(before.LoadBalancer);
    }

    [Fact]
    public void Upsert_CarriedOverInstances_KeepTheirHealthAndRequestsInFlight()
    {
        var registry = NewRegistry();
        var before = registry.Upsert(Orders(A, B, C));
        before.Instances[0].BeginRequest();
        TestServices.TakeOut(before.Instances[1]);

        var after = registry.Upsert(Orders(A, B, C));

        after.Instances[0].ActiveRequests.ShouldBe(1);
        after.Instances[1].Health.IsHealthy.ShouldBeFalse();
        TestInstances.Hosts(after.AvailableInstances).ShouldBe("a c");
    }

    [Fact]
    public void Upsert_CarriedOverInstance_HealthChangesReachTheNewService()
    {
        var registry = NewRegistry();
        var before = registry.Upsert(Orders(A, B));
        var after = registry.Upsert(Orders(A, B));

        TestServices.TakeOut(before.Instances[0]);

        TestInstances.Hosts(after.AvailableInstances).ShouldBe("b");
    }

    [Fact]
    public void Upsert_UnchangedStrategy_RotationCarriesOn()
    {
        var registry = NewRegistry();
        var before = registry.Upsert(Orders(A, B, C));
        var first = before.PickInstance();

        var after = registry.Upsert(Orders(A, B, C));
        var next = after.PickInstance();

        first!.Host.ShouldBe("a");
        next!.Host.ShouldBe("b");
    }

    [Theory]
    [InlineData(3, "http")] // another weight
    [InlineData(1, "https")] // another scheme
    public void Upsert_InstanceWithOtherWeightOrScheme_IsANewInstance(int weight, string scheme)
    {
        var registry = NewRegistry();
        var before = registry.Upsert(Orders(A, B));

        var after = registry.Upsert(Orders(A with { Weight = weight, Scheme = scheme }, B));

        after.Instances[0].ShouldNotBeSameAs(before.Instances[0]);
        after.Instances[0].Weight.ShouldBe(weight);
        after.Instances[0].Scheme.ShouldBe(scheme);
        after.Instances[1].ShouldBeSameAs(before.Instances[1]);
    }

    [Fact]
    public void Upsert_HostInAnotherCase_IsANewInstanceUnderItsNewSpelling()
    {
        var registry = NewRegistry();
        var before = registry.Upsert(Orders(A));

        var after = registry.Upsert(Orders(A with { Host = "A" }));

        after.Instances[0].ShouldNotBeSameAs(before.Instances[0]);
        after.Instances[0].Id.ShouldBe("A:8001");
    }

    [Fact]
    public void Upsert_StrategyChanged_GetsANewStrategyOfTheNewKind()
    {
        var registry = NewRegistry();
        var before = registry.Upsert(Orders(A, B));

        var after = registry.Upsert(Define("orders", LoadBalancerNames.LeastConnections, A, B));

        after.LoadBalancer.ShouldNotBeSameAs(before.LoadBalancer);
        after.LoadBalancer.ShouldBeOfType<LeastConnectionsLoadBalancer>();
        after.Instances[0].ShouldBeSameAs(before.Instances[0]);
    }

    [Fact]
    public void Upsert_StrategyRenamedToAnAlias_KeepsTheStrategy()
    {
        var registry = NewRegistry();
        var before = registry.Upsert(Orders(A, B));

        var after = registry.Upsert(Define("orders", "RoundRobin", A, B));

        after.LoadBalancer.ShouldBeSameAs(before.LoadBalancer);
    }

    [Fact]
    public void ReplaceAll_ServicesThatStay_CarryOverAndTheOthersGo()
    {
        var registry = NewRegistry(Orders(A, B), Users(C));
        registry.TryGetService("orders", out var ordersBefore);
        ordersBefore!.Instances[1].BeginRequest();
        TestServices.TakeOut(ordersBefore.Instances[0]);

        registry.ReplaceAll([Orders(A, B), Define("payments", LoadBalancerNames.Random, C)]);

        registry.Count.ShouldBe(2);
        registry.TryGetService("users", out _).ShouldBeFalse();
        registry.TryGetService("payments", out _).ShouldBeTrue();
        registry.TryGetService("orders", out var ordersAfter).ShouldBeTrue();
        ordersAfter.LoadBalancer.ShouldBeSameAs(ordersBefore.LoadBalancer);
        ordersAfter.Instances[1].ShouldBeSameAs(ordersBefore.Instances[1]);
        ordersAfter.Instances[1].ActiveRequests.ShouldBe(1);
        ordersAfter.Instances[0].ShouldBeSameAs(ordersBefore.Instances[0]);
        TestInstances.Hosts(ordersAfter.AvailableInstances).ShouldBe("b");
    }

    [Fact]
    public void ReplaceAll_CarriedOverInstance_HealthChangesReachTheNewService()
    {
        var registry = NewRegistry(Orders(A, B));
        registry.TryGetService("orders", out var before);
        registry.ReplaceAll([Orders(A, B)]);
        registry.TryGetService("orders", out var after);

        TestServices.TakeOut(before!.Instances[1]);

        TestInstances.Hosts(after!.AvailableInstances).ShouldBe("a");
    }

    [Fact]
    public void ReplaceAll_ServiceRemovedAndAddedAgain_StartsAfresh()
    {
        var registry = NewRegistry(Orders(A));
        registry.TryGetService("orders", out var before);
        registry.ReplaceAll([]);

        registry.ReplaceAll([Orders(A)]);

        registry.TryGetService("orders", out var after).ShouldBeTrue();
        after.Instances[0].ShouldNotBeSameAs(before!.Instances[0]);
    }

    [Fact]
    public void Remove_ExistingServiceInAnyCase_RemovesIt()
    {
        var registry = NewRegistry(Orders(A), Users(B));

        var removed = registry.Remove("ORDERS");

        removed.ShouldBeTrue();
        registry.Count.ShouldBe(1);
        registry.TryGetService("orders", out _).ShouldBeFalse();
        registry.TryGetService("users", out _).ShouldBeTrue();
    }

    [Fact]
    public void Remove_UnknownService_ReturnsFalse()
    {
        var registry = NewRegistry(Orders(A));

        var removed = registry.Remove("payments");

        removed.ShouldBeFalse();
        registry.Count.ShouldBe(1);
    }

    [Fact]
    public void TryGetService_WhileAnotherThreadRewritesTheRegistry_NeverMissesAService()
    {
        var registry = NewRegistry(Orders(A, B), Users(C));
        var definitions = new[]
        {
            Orders(A, B),
            Orders(A with { Weight = 2 }, B),
            Orders(B, C),
            Define("orders", LoadBalancerNames.Random, A),
        };
        var readerDone = false;
        var misses = 0;
        var writes = 0;

        Concurrently.Run(2, thread =>
        {
            if (thread == 0)
            {
                for (var read = 0; read < 200_000; read++)
                {
                    if (!registry.TryGetService("orders", out var orders) || orders.PickInstance() is null)
                    {
                        misses++;
                    }

                    if (!registry.TryGetService("USERS", out _) || registry.Count != 2)
                    {
                        misses++;
                    }
                }

                Volatile.Write(ref readerDone, true);
            }
            else
            {
                do
                {
                    var orders = definitions[writes % definitions.Length];
                    if (writes % 2 == 0)
                    {
                        registry.Upsert(orders);
                    }
                    else
                    {
                        registry.ReplaceAll([Users(C), orders]);
                    }

                    writes++;
                }
                while (!Volatile.Read(ref readerDone));
            }
        });

        misses.ShouldBe(0);
        writes.ShouldBeGreaterThan(1);
    }

    private static ServiceRegistry NewRegistry(params ServiceDefinition[] services) =>
        new(new LoadBalancerFactory(new Random(42)), services);

    private static ServiceDefinition Define(string name, string loadBalancer, params InstanceDefinition[] instances) =>
        TestServices.Define(name, loadBalancer, instances);

    private static ServiceDefinition Orders(params InstanceDefinition[] instances) =>
        Define("orders", LoadBalancerNames.RoundRobin, instances);

    private static ServiceDefinition Users(params InstanceDefinition[] instances) =>
        Define("users", LoadBalancerNames.RoundRobin, instances);
}
