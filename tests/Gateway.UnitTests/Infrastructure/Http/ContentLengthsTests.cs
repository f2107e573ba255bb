using Gateway.Infrastructure.Http;

namespace Gateway.UnitTests.Infrastructure.Http;

public sealed class ContentLengthsTests
{
    [Theory]
    [InlineData(new[] { "10" }, true)]
    [InlineData(new[] { "10", "10" }, true)]
    [InlineData(new[] { "10, 10" }, true)]
    [InlineData(new[] { " 10 ,10", "10" }, true)]
    [InlineData(new[] { "10", "11" }, false)]
    [InlineData(new[] { "10, 11" }, false)]
    [InlineData(new[] { "10", "010" }, false)]
    public void Agree_HeaderValues_AgreeOnlyWhenEveryLengthIsTheFirst(string[] values, bool agree)
    {
        string? first = null;

        var result = values.All(value => ContentLengths.Agree(ref first, value));

        result.ShouldBe(agree);
        first.ShouldBe("10");
    }
}
