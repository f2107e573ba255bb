using Gateway.Domain;
using Gateway.Domain.LoadBalancing;
using Gateway.UnitTests.TestSupport;

namespace Gateway.UnitTests.Domain.LoadBalancing;

[Collection(ConcurrencyCollection.Name)]
public sealed class WeightedRoundRobinLoadBalancerTests
{
    [Fact]
    public void Pick_Weights511_SpreadsTheHeavyInstanceLikeNginx()
    {
        var loadBalancer = new WeightedRoundRobinLoadBalancer();
        var instances = TestInstances.Weighted(5, 1, 1);

        var picks = TestServices.PickMany(loadBalancer, instances, 14);

        TestInstances.Hosts(picks).ShouldBe("a a b a c a a a a b a c a a");
    }

    [Fact]
    public void Pick_EqualWeights_CyclesInOrder()
    {
        var loadBalancer = new WeightedRoundRobinLoadBalancer();
        var instances = TestInstances.Weighted(2, 2, 2);

        var picks = TestServices.PickMany(loadBalancer, instances, 7);

        TestInstances.Hosts(picks).ShouldBe("a b c a b c a");
    }

    [Fact]
    public void Pick_WeightsWithACommonDivisor_FollowsTheReducedWeights()
    {
        var scaled = new WeightedRoundRobinLoadBalancer();
        var reduced = new WeightedRoundRobinLoadBalancer();
        var scaledInstances = TestInstances.Weighted(10, 20);
        var reducedInstances = TestInstances.Weighted(1, 2);

        var scaledPicks = TestServices.PickMany(scaled, scaledInstances, 9);
        var reducedPicks = TestServices.PickMany(reduced, reducedInstances, 9);

        TestInstances.Hosts(scaledPicks).ShouldBe(TestInstances.Hosts(reducedPicks));
        TestInstances.Hosts(reducedPicks).ShouldBe("b a b b a b b a b");
    }

    [Theory]
    [InlineData(new[] { 5, 1, 1 })]
    [InlineData(new[] { 3, 2, 7, 1 })]
    [InlineData(new[] { 1, 4 })]
    [InlineData(new[] { 6, 4, 2 })] // reduces to 3, 2, 1: a period of 6, so windows of 12 hold each weight twice over
    public void Pick_AnyWindowOfOnePeriod_HoldsEachInstanceExactlyItsWeight(int[] weights)
    {
        var loadBalancer = new WeightedRoundRobinLoadBalancer();
        var instances = TestInstances.Weighted(weights);
        var period = weights.Sum();

        var picks = TestServices.PickMany(loadBalancer, instances, period * 5);

        for (var start = 0; start + period <= picks.Count; start++)
        {
            var counts = TestInstances.Count(instances, picks.Skip(start).Take(period));
            counts.ShouldBe(weights, $"window starting at pick {start}");
        }
    }

    [Fact]
    public void PickInstance_UnhealthyInstance_IsSkippedAndTheOthersKeepTheirProportions()
    {
        var service = TestServices.Create(LoadBalancerNames.WeightedRoundRobin, [3, 5, 1]);
        TestServices.TakeOut(service.Instances[1]);

        var picks = TestServices.PickMany(service, 8);

        TestInstances.Count(service.Instances, picks).ShouldBe([6, 0, 2]);
    }

    [Fact]
    public void PickInstance_HealthChangesMidPeriod_NewScheduleAndTheTicketCarriesOn()
    {
        // Weights 2, 1, 1 cycle as a b c a; without c, weights 2, 1 cycle as a b a.
        var service = TestServices.Create(LoadBalancerNames.WeightedRoundRobin, [2, 1, 1]);
        var c = service.Instances[2];

        var before = TestServices.PickMany(service, 2);
        TestServices.TakeOut(c);
        var whileOut = TestServices.PickMany(service, 6);
        TestServices.PutBack(c);
        var afterReturn = TestServices.PickMany(service, 4);

        // Tickets 2..7 read "a b a" from position 2; tickets 8..11 read "a b c a" from position 0.
        TestInstances.Hosts(before).ShouldBe("a b");
        TestInstances.Hosts(whileOut).ShouldBe("a a b a a b");
        TestInstances.Hosts(afterReturn).ShouldBe("a b c a");
    }

    [Fact]
    public void PickInstance_WeightChangedByUpsert_FollowsTheNewWeights()
    {
        var registry = new ServiceRegistry(new LoadBalancerFactory());
        var before = registry.Upsert(TestServices.Define("orders", LoadBalancerNames.WeightedRoundRobin, TestServices.Weighted(1, 1)));
        var beforePicks = TestServices.PickMany(before, 2);

        var after = registry.Upsert(TestServices.Define("orders", LoadBalancerNames.WeightedRoundRobin, TestServices.Weighted(3, 1)));
        var afterPicks = TestServices.PickMany(after, 8);

        // Weights 3, 1 cycle as a a b a; the ticket carries on at 2.
        TestInstances.Hosts(beforePicks).ShouldBe("a b");
        after.Instances[0].ShouldNotBeSameAs(before.Instances[0]);
        after.Instances[0].Weight.ShouldBe(3);
        TestInstances.Hosts(afterPicks).ShouldBe("b a a a b a a a");
    }

    [Fact]
    public void Pick_NewListOfTheSameInstancesEachTime_KeepsTheSameSequence()
    {
        var loadBalancer = new WeightedRoundRobinLoadBalancer();
        var instances = TestInstances.Weighted(5, 1, 1);

        var picks = Enumerable.Range(0, 7).Select(_ => loadBalancer.Pick(instances.ToList())).ToList();

        TestInstances.Hosts(picks).ShouldBe("a a b a c a a");
    }

    [Theory]
    [InlineData(WeightedRoundRobinLoadBalancer.MaxPrecomputedPeriod / 2 + 1, WeightedRoundRobinLoadBalancer.MaxPrecomputedPeriod / 2)]
    [InlineData(WeightedRoundRobinLoadBalancer.MaxPrecomputedPeriod, 1)]
    [InlineData(40_000, 30_001)]
    public void Pick_PeriodTooLongToPrecompute_EachPeriodStillHoldsExactWeights(int heavy, int light)
    {
        var loadBalancer = new WeightedRoundRobinLoadBalancer();
        var instances = TestInstances.Weighted(heavy, light);
        var period = heavy + light;

        var firstPeriod = TestServices.PickMany(loadBalancer, instances, period);
        var secondPeriod = TestServices.PickMany(loadBalancer, instances, period);

        period.ShouldBeGreaterThan(WeightedRoundRobinLoadBalancer.MaxPrecomputedPeriod);
        TestInstances.Count(instances, firstPeriod).ShouldBe([heavy, light]);
        TestInstances.Count(instances, secondPeriod).ShouldBe([heavy, light]);
    }

    [Fact]
    public void Pick_WeightsSummingBeyondInt32_KeepTheirProportions()
    {
        // 2^31 - 1 and 2^30: the sum is about 3.2 billion, so the heavy one is due two picks in three.
        var loadBalancer = new WeightedRoundRobinLoadBalancer();
        var instances = TestInstances.Weighted(int.MaxValue, 1 << 30);

        var picks = TestServices.PickMany(loadBalancer, instances, 3_000);

        var counts = TestInstances.Count(instances, picks);
        counts[0].ShouldBeInRange(1_999, 2_001);
        counts[1].ShouldBeInRange(999, 1_001);
    }

    [Fact]
    public void Pick_ManyThreadsAtOnce_CountsMatchTheWeightsWithinOnePeriod()
    {
        var loadBalancer = new WeightedRoundRobinLoadBalancer();
        int[] weights = [5, 1, 1];
        var instances = TestInstances.Weighted(weights);
        var period = weights.Sum();

        var counts = ConcurrentPicks.Run(loadBalancer, instances);

        var total = counts.Sum();
        total.ShouldBe(ConcurrentPicks.Threads * ConcurrentPicks.PicksPerThread);
        for (var i = 0; i < weights.Length; i++)
        {
            var ideal = (double)total * weights[i] / period;
            Math.Abs(counts[i] - ideal).ShouldBeLessThanOrEqualTo(weights[i], $"instance {instances[i]}");
        }

        instances.ShouldAllBe(instance => instance.ActiveRequests == 0);
    }

    [Fact]
    public void Pick_ManyThreadsAtOnceWithAPeriodTooLongToPrecompute_CountsMatchTheWeights()
    {
        // 70,008 = 8 threads x 8,751 picks: exactly one period between them.
        var loadBalancer = new WeightedRoundRobinLoadBalancer();
        var instances = TestInstances.Weighted(40_001, 30_007);

        var counts = ConcurrentPicks.Run(loadBalancer, instances, ConcurrentPicks.Threads, picksPerThread: 8_751);

        // Threads racing on the very first pick may each start a schedule; the steps taken on the ones that lose
        // the race are lost, at most one per thread.
        counts[0].ShouldBeInRange(40_001 - ConcurrentPicks.Threads, 40_001 + ConcurrentPicks.Threads);
        counts[1].ShouldBeInRange(30_007 - ConcurrentPicks.Threads, 30_007 + ConcurrentPicks.Threads);
        instances.ShouldAllBe(instance => instance.ActiveRequests == 0);
    }
}
