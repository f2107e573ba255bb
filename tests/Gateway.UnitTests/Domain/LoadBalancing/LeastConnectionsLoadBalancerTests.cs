using Gateway.Domain.LoadBalancing;
using Gateway.UnitTests.TestSupport;

namespace Gateway.UnitTests.Domain.LoadBalancing;

[Collection(ConcurrencyCollection.Name)]
public sealed class LeastConnectionsLoadBalancerTests
{
    [Fact]
    public void Pick_AllIdle_RotatesSoTheyShareTheLoad()
    {
        var loadBalancer = new LeastConnectionsLoadBalancer();
        var instances = TestInstances.Create(3);

        var picks = TestServices.PickMany(loadBalancer, instances, 7);

        TestInstances.Hosts(picks).ShouldBe("a b c a b c a");
    }

    [Fact]
    public void Pick_IdleInstancesAfterABusyOne_ShareTheLoadEvenly()
    {
        var loadBalancer = new LeastConnectionsLoadBalancer();
        var instances = TestInstances.Create(3);
        TestInstances.Load(instances, 0, 0, 5);

        var picks = TestServices.PickMany(loadBalancer, instances, 6);

        TestInstances.Hosts(picks).ShouldBe("a b a b a b");
    }

    [Theory]
    [InlineData(new[] { 2, 0, 1 }, 1)]
    [InlineData(new[] { 3, 2, 1 }, 2)]
    [InlineData(new[] { 1, 4, 4 }, 0)]
    public void Pick_DifferentLoads_AlwaysPicksTheFewestInFlight(int[] loads, int expected)
    {
        var loadBalancer = new LeastConnectionsLoadBalancer();
        var instances = TestInstances.Create(loads.Length);
        TestInstances.Load(instances, loads);

        var picks = TestServices.PickMany(loadBalancer, instances, 9);

        picks.ShouldAllBe(picked => picked == instances[expected]);
    }

    [Fact]
    public void Pick_TiesForFewest_EveryTiedInstanceGetsPicksAndNoOtherDoes()
    {
        var loadBalancer = new LeastConnectionsLoadBalancer();
        var instances = TestInstances.Create(4);
        TestInstances.Load(instances, 0, 5, 0, 5);

        var picks = TestServices.PickMany(loadBalancer, instances, 40);

        var counts = TestInstances.Count(instances, picks);
        counts[0].ShouldBeGreaterThanOrEqualTo(10);
        counts[2].ShouldBeGreaterThanOrEqualTo(10);
        counts[1].ShouldBe(0);
        counts[3].ShouldBe(0);
    }

    [Fact]
    public void Pick_RequestsStillInFlight_NextPickGoesToAnInstanceWithout()
    {
        var loadBalancer = new LeastConnectionsLoadBalancer();
        var instances = TestInstances.Create(3);
        var first = loadBalancer.Pick(instances)!;
        first.BeginRequest();
        var second = loadBalancer.Pick(instances)!;
        second.BeginRequest();
        var third = loadBalancer.Pick(instances)!;
        third.BeginRequest();
        second.EndRequest();

        var fourth = loadBalancer.Pick(instances);

        new[] { first, second, third }.Distinct().Count().ShouldBe(3);
        fourth.ShouldBeSameAs(second);
    }

    [Fact]
    public void PickInstance_LeastLoadedInstanceUnhealthy_PicksTheLeastLoadedHealthyOne()
    {
        var service = TestServices.Create(LoadBalancerNames.LeastConnections, 3);
        TestInstances.Load(service.Instances, 2, 0, 1);
        TestServices.TakeOut(service.Instances[1]);

        var picks = TestServices.PickMany(service, 5);

        TestInstances.Hosts(picks).ShouldBe("c c c c c");
    }

    [Fact]
    public void PickInstance_HealthChangesMidRotation_RotationCarriesOn()
    {
        var service = TestServices.Create(LoadBalancerNames.LeastConnections, 3);

        var before = service.PickInstance();
        TestServices.TakeOut(service.Instances[1]);
        var whileOut = TestServices.PickMany(service, 3);

        // All idle, so this is round robin over the tickets: ticket 1 of [a, c] is c, not a again.
        before.ShouldBeSameAs(service.Instances[0]);
        TestInstances.Hosts(whileOut).ShouldBe("c a c");
    }

    [Fact]
    public void Pick_ManyThreadsAtOnceAllIdle_CountsDifferByAtMostOne()
    {
        var loadBalancer = new LeastConnectionsLoadBalancer();
        var instances = TestInstances.Create(3);

        var counts = ConcurrentPicks.Run(loadBalancer, instances, trackInFlight: false);

        // Every scan starts at its own ticket and stops at once on an idle instance: round robin over the tickets.
        counts.Sum().ShouldBe(ConcurrentPicks.Threads * ConcurrentPicks.PicksPerThread);
        (counts.Max() - counts.Min()).ShouldBeLessThanOrEqualTo(1);
    }

    [Fact]
    public void Pick_ManyThreadsAtOnceWithRequestsInFlight_InFlightReturnsToZero()
    {
        var loadBalancer = new LeastConnectionsLoadBalancer();
        var instances = TestInstances.Create(4);

        var counts = ConcurrentPicks.Run(loadBalancer, instances);

        // How the picks spread depends on which threads the scheduler parks mid-request, so only ask that every
        // pick was a candidate and every request was counted out again.
        counts.Sum().ShouldBe(ConcurrentPicks.Threads * ConcurrentPicks.PicksPerThread);
        instances.ShouldAllBe(instance => instance.ActiveRequests == 0);
    }
}
