using Gateway.Domain.LoadBalancing;

namespace Gateway.UnitTests.Domain.LoadBalancing;

public sealed class LoadBalancerNamesTests
{
    [Fact]
    public void All_IsTheSeedSpellingsInOrder()
    {
        var all = LoadBalancerNames.All;

        all.ShouldBe(["round_robin", "least_connections", "random", "weighted_round_robin", "power_of_two_choices"]);
    }

    [Theory]
    [InlineData("round_robin")]
    [InlineData("least_connections")]
    [InlineData("random")]
    [InlineData("weighted_round_robin")]
    [InlineData("power_of_two_choices")]
    public void Parse_SeedSpelling_ReturnsItself(string name)
    {
        var canonical = LoadBalancerNames.Parse(name);

        canonical.ShouldBe(name);
    }

    [Theory]
    [InlineData("RoundRobin", "round_robin")]
    [InlineData("LeastConnections", "least_connections")]
    [InlineData("Random", "random")]
    [InlineData("WeightedRoundRobin", "weighted_round_robin")]
    [InlineData("PowerOfTwoChoices", "power_of_two_choices")]
    public void Parse_PascalCase_ReturnsTheSeedSpelling(string name, string expected)
    {
        var canonical = LoadBalancerNames.Parse(name);

        canonical.ShouldBe(expected);
    }

    [Theory]
    [InlineData("ROUND_ROBIN", "round_robin")]
    [InlineData("roundRobin", "round_robin")]
    [InlineData("round-robin", "round_robin")]
    [InlineData("roundrobin", "round_robin")]
    [InlineData("  round_robin  ", "round_robin")]
    [InlineData("RANDOM", "random")]
    [InlineData("Weighted-Round-Robin", "weighted_round_robin")]
    [InlineData("least_conn", "least_connections")]
    [InlineData("LeastConnection", "least_connections")]
    [InlineData("p2c", "power_of_two_choices")]
    [InlineData("PowerOfTwo", "power_of_two_choices")]
    public void Parse_OtherCaseOrSeparators_ReturnsTheSeedSpelling(string name, string expected)
    {
        var canonical = LoadBalancerNames.Parse(name);

        canonical.ShouldBe(expected);
    }

    [Theory]
    [InlineData("fastest")]
    [InlineData("round robin")]
    [InlineData("round_robin_2")]
    [InlineData("weighted")]
    public void Parse_UnknownName_ThrowsArgumentExceptionNamingIt(string name)
    {
        var parse = () => LoadBalancerNames.Parse(name);

        var exception = parse.ShouldThrow<ArgumentException>();
        exception.Message.ShouldContain($"'{name}'");
        exception.Message.ShouldContain("round_robin");
        exception.ParamName.ShouldBe("name");
    }

    [Fact]
    public void Parse_NameLongerThanAnyStrategy_ThrowsArgumentExceptionNamingIt()
    {
        var name = new string('r', 100);

        var parse = () => LoadBalancerNames.Parse(name);

        parse.ShouldThrow<ArgumentException>().Message.ShouldContain(name);
    }

    [Theory]
    [InlineData(null)]
    [InlineData("")]
    [InlineData("   ")]
    public void TryParse_NoName_ReturnsFalse(string? name)
    {
        var parsed = LoadBalancerNames.TryParse(name, out var canonical);

        parsed.ShouldBeFalse();
        canonical.ShouldBeNull();
    }

    [Fact]
    public void TryParse_KnownName_ReturnsTrueAndTheSeedSpelling()
    {
        var parsed = LoadBalancerNames.TryParse("LeastConnections", out var canonical);

        parsed.ShouldBeTrue();
        canonical.ShouldBe(LoadBalancerNames.LeastConnections);
    }
}
