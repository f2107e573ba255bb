using Gateway.Application.Edge;

namespace Gateway.UnitTests.Application.Edge;

public sealed class ScopesTests
{
    [Theory]
    [InlineData(new[] { "orders.read orders.write" }, new[] { "orders.read" }, true)]
    [InlineData(new[] { "orders.write", "orders.read" }, new[] { "orders.read", "orders.write" }, true)]
    [InlineData(new[] { "orders.readonly" }, new[] { "orders.read" }, false)]
    [InlineData(new[] { "profile" }, new[] { "orders.read" }, false)]
    [InlineData(new string[0], new[] { "orders.read" }, false)]
    [InlineData(new string[0], new string[0], true)]
    public void GrantsAll_ScopeAndScpValues_MatchWholeScopesOnly(string[] claimValues, string[] required, bool expected)
    {
        var granted = Scopes.GrantsAll(claimValues, required);

        granted.ShouldBe(expected);
    }
}
