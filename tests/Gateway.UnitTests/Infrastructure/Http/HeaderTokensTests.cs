using Gateway.Infrastructure.Http;
using Microsoft.Extensions.Primitives;

namespace Gateway.UnitTests.Infrastructure.Http;

public sealed class HeaderTokensTests
{
    [Theory]
    [InlineData(new[] { "upgrade" }, "Upgrade", true)]
    [InlineData(new[] { "keep-alive, Upgrade" }, "upgrade", true)]
    [InlineData(new[] { "close", " X-Secret ,x-other" }, "x-secret", true)]
    [InlineData(new[] { "keep-alive" }, "alive", false)]
    [InlineData(new[] { "X-Secret-2" }, "X-Secret", false)]
    [InlineData(new string[0], "upgrade", false)]
    public void Contains_Values_FindsWholeTokensOnly(string[] values, string token, bool expected) =>
        HeaderTokens.Contains(new StringValues(values), token).ShouldBe(expected);

    [Fact]
    public void All_ValuesWithSpacesAndEmptyElements_GivesEachTokenOnceTrimmed()
    {
        var tokens = HeaderTokens.All(new StringValues(["keep-alive, X-A ,", " ,x-b"]));

        tokens.ShouldBe(["keep-alive", "X-A", "x-b"]);
    }
}
