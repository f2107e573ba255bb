using Gateway.Domain.LoadBalancing;
using Gateway.UnitTests.TestSupport;

namespace Gateway.UnitTests.Domain.LoadBalancing;

/// <summary>
/// What every strategy promises, whatever it does with a choice: its seed spelling as its name, null for an empty
/// list, a lone candidate returned directly (without drawing a random number, or looking at load), and null from a
/// service with no available instance. Each strategy's own tests cover how it chooses.
/// </summary>
[Collection(ConcurrencyCollection.Name)]
public sealed class LoadBalancerContractTests
{
    public static TheoryData<string> Strategies => new()
    {
        "round_robin",
        "random",
        "least_connections",
        "weighted_round_robin",
        "power_of_two_choices",
    };

    [Theory]
    [MemberData(nameof(Strategies))]
    public void Name_IsTheSeedSpelling(string name)
    {
        var loadBalancer = Create(name);

        var actual = loadBalancer.Name;

        actual.ShouldBe(name);
        LoadBalancerNames.All.ShouldContain(name);
    }

    [Theory]
    [MemberData(nameof(Strategies))]
    public void Pick_NoCandidates_ReturnsNull(string name)
    {
        var loadBalancer = Create(name);

        var picked = loadBalancer.Pick([]);

        picked.ShouldBeNull();
    }

    [Theory]
    [MemberData(nameof(Strategies))]
    public void Pick_OneBusyHeavyCandidate_ReturnsItEveryTimeWithoutDrawing(string name)
    {
        var loadBalancer = Create(name);
        var only = TestInstances.Weighted(5);
        TestInstances.Load(only, 7);

        var picks = TestServices.PickMany(loadBalancer, only, 6);

        picks.ShouldAllBe(picked => picked == only[0]);
    }

    [Theory]
    [MemberData(nameof(Strategies))]
    public void PickInstance_NoHealthyInstance_ReturnsNull(string name)
    {
        var service = TestServices.Create(name, 2, new ScriptedRandom());
        TestServices.TakeOut(service.Instances[0]);
        TestServices.TakeOut(service.Instances[1]);

        var picked = service.PickInstance();

        picked.ShouldBeNull();
    }

    // A scripted random with nothing scripted fails any draw: a lone candidate must be returned without one.
    private static ILoadBalancer Create(string name) => new LoadBalancerFactory(new ScriptedRandom()).Create(name);
}
