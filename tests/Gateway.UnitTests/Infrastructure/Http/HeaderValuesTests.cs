using Gateway.Infrastructure.Http;

namespace Gateway.UnitTests.Infrastructure.Http;

public sealed class HeaderValuesTests
{
    [Theory]
    [InlineData(null, true)]
    [InlineData("", true)]
    [InlineData("text/plain; charset=utf-8", true)]
    [InlineData("a\tb", true)]
    [InlineData(" ~!\"#$%&'()*+,-./:;<=>?@[\\]^_`{|}", true)]
    [InlineData("a\rb", false)]
    [InlineData("a\nInjected: yes", false)]
    [InlineData("a\0b", false)]
    [InlineData("\u007f", false)]
    [InlineData("caf\u00e9", false)]
    [InlineData("tab then \t\u0001", false)]
    public void IsForwardable_Value_PassesOnlyPrintableAsciiSpacesAndTabs(string? value, bool forwardable)
    {
        var result = HeaderValues.IsForwardable(value);

        result.ShouldBe(forwardable);
    }
}
