using Gateway.Domain.LoadBalancing;
using Gateway.UnitTests.TestSupport;

namespace Gateway.UnitTests.Domain.LoadBalancing;

[Collection(ConcurrencyCollection.Name)]
public sealed class PowerOfTwoChoicesLoadBalancerTests
{
    [Theory]
    [InlineData(2, 0, "c")] // c (load 1) against a (load 2): c, although b is idle; only two are compared
    [InlineData(0, 0, "b")] // a against b: the second draw skips over the first, so it is never a against a
    [InlineData(1, 1, "b")] // b against c
    [InlineData(0, 1, "c")] // a against c
    public void Pick_ScriptedDraws_PicksTheLessLoadedOfTheTwo(int firstDraw, int secondDraw, string expected)
    {
        var loadBalancer = new PowerOfTwoChoicesLoadBalancer(new ScriptedRandom(firstDraw, secondDraw));
        var instances = TestInstances.Create(3);
        TestInstances.Load(instances, 2, 0, 1);

        var picked = loadBalancer.Pick(instances);

        picked.ShouldNotBeNull().Host.ShouldBe(expected);
    }

    [Theory]
    [InlineData(0, 0, "a")]
    [InlineData(1, 0, "b")]
    public void Pick_TwoEquallyLoaded_PicksTheFirstDrawn(int firstDraw, int secondDraw, string expected)
    {
        var loadBalancer = new PowerOfTwoChoicesLoadBalancer(new ScriptedRandom(firstDraw, secondDraw));
        var instances = TestInstances.Create(2);
        TestInstances.Load(instances, 3, 3);

        var picked = loadBalancer.Pick(instances);

        picked.ShouldNotBeNull().Host.ShouldBe(expected);
    }

    [Fact]
    public void Pick_TwoCandidatesOneBusy_AlwaysPicksTheOther()
    {
        var loadBalancer = new PowerOfTwoChoicesLoadBalancer(new Random(42));
        var instances = TestInstances.Create(2);
        TestInstances.Load(instances, 1, 0);

        var picks = TestServices.PickMany(loadBalancer, instances, 1_000);

        picks.ShouldAllBe(picked => picked == instances[1]);
    }

    [Fact]
    public void Pick_UnevenLoads_NeverPicksTheBusiestAndFavoursTheIdlest()
    {
        // b is idle and in two of the three possible pairs; c wins the third, against a.
        var loadBalancer = new PowerOfTwoChoicesLoadBalancer(new Random(42));
        var instances = TestInstances.Create(3);
        TestInstances.Load(instances, 5, 0, 1);

        var picks = TestServices.PickMany(loadBalancer, instances, 30_000);

        var counts = TestInstances.Count(instances, picks);
        counts[0].ShouldBe(0);
        counts[1].ShouldBeInRange(19_400, 20_600);
        counts[2].ShouldBeInRange(9_400, 10_600);
    }

    [Fact]
    public void Pick_AllIdle_EachInstanceWithinThreePercentOfAnEvenShare()
    {
        var loadBalancer = new PowerOfTwoChoicesLoadBalancer(new Random(42));
        var instances = TestInstances.Create(4);

        var picks = TestServices.PickMany(loadBalancer, instances, 100_000);

        TestInstances.Count(instances, picks).ShouldAllBe(count => count >= 24_250 && count <= 25_750);
    }

    [Fact]
    public void PickInstance_UnhealthyInstance_IsNeverPicked()
    {
        var service = TestServices.Create(LoadBalancerNames.PowerOfTwoChoices, 3, new Random(42));
        TestServices.TakeOut(service.Instances[0]);

        var picks = TestServices.PickMany(service, 1_000);

        var counts = TestInstances.Count(service.Instances, picks);
        counts[0].ShouldBe(0);
        counts[1].ShouldBeInRange(400, 600);
        counts[2].ShouldBeInRange(400, 600);
    }

    [Fact]
    public void PickInstance_OneHealthyInstanceLeft_PicksItWhateverItsLoad()
    {
        var service = TestServices.Create(LoadBalancerNames.PowerOfTwoChoices, 2, new Random(42));
        TestInstances.Load(service.Instances, 0, 9);
        TestServices.TakeOut(service.Instances[0]);

        var picks = TestServices.PickMany(service, 10);

        picks.ShouldAllBe(picked => picked == service.Instances[1]);
    }

    [Fact]
    public void Pick_ManyThreadsAtOnceAllIdle_RoughlyEven()
    {
        // A seeded Random is not safe for concurrent callers; Random.Shared, the production default, is.
        var loadBalancer = new PowerOfTwoChoicesLoadBalancer(Random.Shared);
        var instances = TestInstances.Create(4);

        var counts = ConcurrentPicks.Run(loadBalancer, instances, trackInFlight: false);

        // An even share is 200,000 with a standard deviation of about 390.
        counts.Sum().ShouldBe(ConcurrentPicks.Threads * ConcurrentPicks.PicksPerThread);
        counts.ShouldAllBe(count => count >= 194_000 && count <= 206_000);
    }

    [Fact]
    public void Pick_ManyThreadsAtOnceWithRequestsInFlight_InFlightReturnsToZero()
    {
        var loadBalancer = new PowerOfTwoChoicesLoadBalancer(Random.Shared);
        var instances = TestInstances.Create(4);

        var counts = ConcurrentPicks.Run(loadBalancer, instances);

        // An instance whose request is parked with a descheduled thread is busier, and rightly loses its pairings
        // while it is; so the spread is not asked to be even here.
        counts.Sum().ShouldBe(ConcurrentPicks.Threads * ConcurrentPicks.PicksPerThread);
        instances.ShouldAllBe(instance => instance.ActiveRequests == 0);
    }
}
