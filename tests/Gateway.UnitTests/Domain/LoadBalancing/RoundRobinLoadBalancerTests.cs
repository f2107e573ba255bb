using Gateway.Domain;
using Gateway.Domain.LoadBalancing;
using Gateway.UnitTests.TestSupport;

namespace Gateway.UnitTests.Domain.LoadBalancing;

[Collection(ConcurrencyCollection.Name)]
public sealed class RoundRobinLoadBalancerTests
{
    [Fact]
    public void Pick_ThreeInstances_CyclesInOrder()
    {
        var loadBalancer = new RoundRobinLoadBalancer();
        var instances = TestInstances.Create(3);

        var picks = TestServices.PickMany(loadBalancer, instances, 7);

        TestInstances.Hosts(picks).ShouldBe("a b c a b c a");
    }

    [Fact]
    public void Pick_TwoStrategyObjects_KeepSeparateRotations()
    {
        var first = new RoundRobinLoadBalancer();
        var second = new RoundRobinLoadBalancer();
        var instances = TestInstances.Create(3);
        first.Pick(instances);
        first.Pick(instances);

        var picked = second.Pick(instances);

        picked.ShouldBeSameAs(instances[0]);
    }

    [Fact]
    public void PickInstance_UnhealthyInstance_IsSkipped()
    {
        var service = TestServices.Create(LoadBalancerNames.RoundRobin, 3);
        TestServices.TakeOut(service.Instances[1]);

        var picks = TestServices.PickMany(service, 4);

        TestInstances.Hosts(picks).ShouldBe("a c a c");
    }

    [Fact]
    public void PickInstance_InstanceFailsThreeActiveChecks_IsSkipped()
    {
        var service = TestServices.Create(LoadBalancerNames.RoundRobin, 2);
        var thresholds = new HealthThresholds(unhealthyThreshold: 3, healthyThreshold: 1);
        var failed = new HealthCheckResult(TestServices.Now, Healthy: false, TimeSpan.FromMilliseconds(5), "503");
        for (var i = 0; i < 3; i++)
        {
            service.Instances[0].RecordCheck(failed, thresholds);
        }

        var picks = TestServices.PickMany(service, 3);

        TestInstances.Hosts(picks).ShouldBe("b b b");
    }

    [Fact]
    public void PickInstance_HealthChangesMidRotation_RotationCarriesOn()
    {
        var service = TestServices.Create(LoadBalancerNames.RoundRobin, 3);
        var (a, b) = (service.Instances[0], service.Instances[1]);

        var before = service.PickInstance();
        TestServices.TakeOut(b);
        var whileOut = TestServices.PickMany(service, 3);
        TestServices.PutBack(b);
        var afterReturn = TestServices.PickMany(service, 3);

        // Tickets 0..6: ticket 1 goes to c (not back to a) while b is out, and ticket 4 of 3 candidates is b.
        before.ShouldBeSameAs(a);
        TestInstances.Hosts(whileOut).ShouldBe("c a c");
        TestInstances.Hosts(afterReturn).ShouldBe("b c a");
    }

    [Theory]
    [InlineData(3)] // 800,000 picks do not divide by 3
    [InlineData(4)] // ...but do by 4
    [InlineData(7)]
    public void Pick_ManyThreadsAtOnce_CountsDifferByAtMostOne(int instanceCount)
    {
        var loadBalancer = new RoundRobinLoadBalancer();
        var instances = TestInstances.Create(instanceCount);

        var counts = ConcurrentPicks.Run(loadBalancer, instances);

        counts.Sum().ShouldBe(ConcurrentPicks.Threads * ConcurrentPicks.PicksPerThread);
        (counts.Max() - counts.Min()).ShouldBeLessThanOrEqualTo(1);
        instances.ShouldAllBe(instance => instance.ActiveRequests == 0);
    }
}
