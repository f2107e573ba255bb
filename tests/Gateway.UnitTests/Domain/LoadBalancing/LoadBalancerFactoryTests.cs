using Gateway.Domain.LoadBalancing;

namespace Gateway.UnitTests.Domain.LoadBalancing;

public sealed class LoadBalancerFactoryTests
{
    [Theory]
    [InlineData("round_robin", typeof(RoundRobinLoadBalancer))]
    [InlineData("least_connections", typeof(LeastConnectionsLoadBalancer))]
    [InlineData("random", typeof(RandomLoadBalancer))]
    [InlineData("weighted_round_robin", typeof(WeightedRoundRobinLoadBalancer))]
    [InlineData("power_of_two_choices", typeof(PowerOfTwoChoicesLoadBalancer))]
    public void Create_SeedSpelling_ReturnsThatStrategyUnderItsCanonicalName(string name, Type expected)
    {
        var factory = new LoadBalancerFactory();

        var loadBalancer = factory.Create(name);

        loadBalancer.ShouldBeOfType(expected);
        loadBalancer.Name.ShouldBe(name);
    }

    [Fact]
    public void Create_Alias_ReturnsTheStrategyUnderItsCanonicalName()
    {
        var factory = new LoadBalancerFactory();

        var loadBalancer = factory.Create("WeightedRoundRobin");

        loadBalancer.ShouldBeOfType<WeightedRoundRobinLoadBalancer>();
        loadBalancer.Name.ShouldBe(LoadBalancerNames.WeightedRoundRobin);
    }

    [Fact]
    public void Create_CalledTwice_ReturnsSeparateObjects()
    {
        var factory = new LoadBalancerFactory();

        var first = factory.Create(LoadBalancerNames.RoundRobin);
        var second = factory.Create(LoadBalancerNames.RoundRobin);

        first.ShouldNotBeSameAs(second);
    }

    [Fact]
    public void Create_UnknownName_ThrowsArgumentExceptionNamingIt()
    {
        var factory = new LoadBalancerFactory();

        var create = () => factory.Create("sticky");

        create.ShouldThrow<ArgumentException>().Message.ShouldContain("'sticky'");
    }
}
