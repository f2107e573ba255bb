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

    [Theory]
    [InlineData(new string[0], "none")]
    [InlineData(new[] { "" }, "empty")]
    [InlineData(new[] { " , ,", "" }, "only separators")]
    public void All_NoTokens_GivesNone(string[] values, string because)
    {
        foreach (var token in HeaderTokens.All(new StringValues(values)))
        {
            throw new ShouldAssertException($"unexpected token '{token}' from {because} values");
        }
    }

    [Fact]
    public void All_ValuesWithSpacesAndEmptyElements_GivesEachTokenOnceTrimmed()
    {
        var tokens = new List<string>();
        foreach (var token in HeaderTokens.All(new StringValues(["keep-alive, X-A ,", " ,x-b"])))
        {
            tokens.Add(token);
        }

        tokens.ShouldBe(["keep-alive", "X-A", "x-b"]);
    }
}
