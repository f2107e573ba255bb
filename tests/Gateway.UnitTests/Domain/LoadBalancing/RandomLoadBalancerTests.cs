using Gateway.Domain.LoadBalancing;
using Gateway.UnitTests.TestSupport;

namespace Gateway.UnitTests.Domain.LoadBalancing;

[Collection(ConcurrencyCollection.Name)]
public sealed class RandomLoadBalancerTests
{
    [Fact]
    public void Pick_ScriptedRandom_ReturnsTheCandidateAtEachDraw()
    {
        var loadBalancer = new RandomLoadBalancer(new ScriptedRandom(2, 0, 0, 1));
        var instances = TestInstances.Create(3);

        var picks = TestServices.PickMany(loadBalancer, instances, 4);

        TestInstances.Hosts(picks).ShouldBe("c a a b");
    }

    [Fact]
    public void Pick_SameSeed_SameSequence()
    {
        var first = new RandomLoadBalancer(new Random(7));
        var second = new RandomLoadBalancer(new Random(7));
        var instances = TestInstances.Create(5);

        var firstPicks = TestServices.PickMany(first, instances, 50);
        var secondPicks = TestServices.PickMany(second, instances, 50);

        TestInstances.Hosts(firstPicks).ShouldBe(TestInstances.Hosts(secondPicks));
    }

    [Fact]
    public void Pick_HundredThousandPicks_EachInstanceWithinThreePercentOfAnEvenShare()
    {
        var loadBalancer = new RandomLoadBalancer(new Random(42));
        var instances = TestInstances.Create(4);

        var picks = TestServices.PickMany(loadBalancer, instances, 100_000);

        // An even share is 25,000 with a standard deviation of about 137, so 750 either way is over five of them.
        TestInstances.Count(instances, picks).ShouldAllBe(count => count >= 24_250 && count <= 25_750);
    }

    [Fact]
    public void PickInstance_UnhealthyInstance_IsNeverPicked()
    {
        var service = TestServices.Create(LoadBalancerNames.Random, 3, new Random(42));
        TestServices.TakeOut(service.Instances[1]);

        var picks = TestServices.PickMany(service, 1_000);

        var counts = TestInstances.Count(service.Instances, picks);
        counts[1].ShouldBe(0);
        counts[0].ShouldBeInRange(400, 600);
        counts[2].ShouldBeInRange(400, 600);
    }

    [Fact]
    public void PickInstance_InstanceBackInRotation_IsPickedAgain()
    {
        var service = TestServices.Create(LoadBalancerNames.Random, 2, new Random(42));
        TestServices.TakeOut(service.Instances[0]);

        TestServices.PutBack(service.Instances[0]);
        var picks = TestServices.PickMany(service, 1_000);

        TestInstances.Count(service.Instances, picks).ShouldAllBe(count => count >= 400);
    }

    [Fact]
    public void Pick_ManyThreadsAtOnce_RoughlyEven()
    {
        // A seeded Random is not safe for concurrent callers; Random.Shared, the production default, is.
        var loadBalancer = new RandomLoadBalancer(Random.Shared);
        var instances = TestInstances.Create(4);

        var counts = ConcurrentPicks.Run(loadBalancer, instances);

        // An even share is 200,000 with a standard deviation of about 390.
        counts.Sum().ShouldBe(ConcurrentPicks.Threads * ConcurrentPicks.PicksPerThread);
        counts.ShouldAllBe(count => count >= 194_000 && count <= 206_000);
        instances.ShouldAllBe(instance => instance.ActiveRequests == 0);
    }
}
