using Gateway.Application.Shaping;
using Microsoft.Extensions.Primitives;

namespace Gateway.UnitTests.Application.Shaping;

public sealed class HeaderTransformsTests
{
    [Fact]
    public void Apply_RemovesThenSetsThenAppends()
    {
        var transforms = new HeaderTransforms(
            [new("X-Served-By", Template("{Service}")), new("Cache-Control", Template("no-store"))],
            [new("Vary", Template("X-Tenant")), new("X-New", Template("1"))],
            ["Server", "X-Powered-By"]);
        var headers = new Dictionary<string, StringValues>(StringComparer.OrdinalIgnoreCase)
        {
            ["server"] = "nginx",
            ["X-Powered-By"] = "php",
            ["Cache-Control"] = "max-age=60",
            ["Vary"] = "Accept",
            ["X-Kept"] = "yes",
        };

        transforms.Apply(headers, HeaderTemplateTests.Context());

        headers.ShouldBe(new Dictionary<string, StringValues>(StringComparer.OrdinalIgnoreCase)
        {
            ["X-Served-By"] = "orders",
            ["Cache-Control"] = "no-store",
            ["Vary"] = new StringValues(["Accept", "X-Tenant"]),
            ["X-New"] = "1",
            ["X-Kept"] = "yes",
        }, ignoreOrder: true);
    }

    [Theory]
    [InlineData("Server", true)]
    [InlineData("x-served-by", true)]
    [InlineData("Vary", false)]
    [InlineData("Accept", false)]
    public void Replaces_RemovedAndSetHeaders_NotAppendedOnes(string name, bool replaced)
    {
        var transforms = new HeaderTransforms([new("X-Served-By", Template("a"))], [new("Vary", Template("b"))], ["Server"]);

        transforms.Replaces(name).ShouldBe(replaced);
    }

    private static HeaderTemplate Template(string text) => HeaderTemplate.TryParse(text, out _).ShouldNotBeNull();
}
