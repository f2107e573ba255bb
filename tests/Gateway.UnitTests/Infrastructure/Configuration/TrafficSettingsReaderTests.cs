using Gateway.Domain.Traffic;
using Gateway.Infrastructure.Configuration;
using Gateway.UnitTests.TestSupport;
using Microsoft.Extensions.Options;

namespace Gateway.UnitTests.Infrastructure.Configuration;

/// <summary>The registry's <c>Version</c>, <c>Metadata</c>, <c>Versioning</c> and <c>Split</c> keys as the registry loader reads them.</summary>
public sealed class TrafficSettingsReaderTests
{
    [Fact]
    public void Bind_FullTrafficSettings_ReadsEverySetting()
    {
        var options = Bind(
            ("Instances:0:Version", "1"),
            ("Instances:0:Metadata:zone", "a"),
            ("Versioning:Header", "X-Version"),
            ("Versioning:Query", "api-version"),
            ("Versioning:PathSegment", "true"),
            ("Versioning:Default", "1"),
            ("Split:Weights:2", "5"),
            ("Split:Weights:1", "95"),
            ("Split:StickyBy", "cookie:session"));

        var service = options.Services.ShouldHaveSingleItem();
        service.Instances[0].Version.ShouldBe("1");
        service.Instances[0].Metadata.ShouldBe(new Dictionary<string, string> { ["zone"] = "a" });
        service.Versioning.ShouldBe(new VersionRouting("X-Version", "api-version", true, "1"));
        var split = service.Split.ShouldNotBeNull();
        split.Weights.ShouldBe([new VersionWeight("1", 95), new VersionWeight("2", 5)]);
        split.StickyBy.ShouldBe(new StickyKey(StickyKind.Cookie, "session"));
    }

    [Fact]
    public void Bind_NoTrafficSettings_LeavesThemUnset()
    {
        var service = Bind().Services.ShouldHaveSingleItem();

        service.Versioning.ShouldBeNull();
        service.Split.ShouldBeNull();
        service.Instances[0].Version.ShouldBeNull();
    }

    [Theory]
    [InlineData("orders.Instances[0].Version: 'v 2' is not a version", "Instances:0:Version", "v 2")]
    [InlineData("orders.Versioning.PathSegment: 'yes' is not true or false", "Versioning:PathSegment", "yes")]
    [InlineData("orders.Versioning.Default: '' is not a version", "Versioning:Default", "")]
    [InlineData("orders.Versioning.Headr: unknown setting", "Versioning:Headr", "X")]
    [InlineData("orders.Split.Weights.2: 'x' is not a whole number", "Split:Weights:2", "x")]
    [InlineData("orders.Split.Weights.2: -5 is negative", "Split:Weights:1", "10", "Split:Weights:2", "-5")]
    [InlineData("orders.Split.Weights: needs at least one version with a weight above 0", "Split:Weights:1", "0", "Split:Weights:2", "0")]
    [InlineData("orders.Split.Weights.a/b: 'a/b' is not a version", "Split:Weights:a/b", "1")]
    [InlineData("orders.Split.StickyBy: 'session' is not a sticky key", "Split:Weights:1", "1", "Split:StickyBy", "session")]
    [InlineData("orders.Split.StickyBy: 'header:' is not a sticky key", "Split:Weights:1", "1", "Split:StickyBy", "header:")]
    [InlineData("orders.Split.Weights: missing", "Split:StickyBy", "client_ip")]
    public void Bind_InvalidSetting_FailsWithOneLineNamingKeyAndValue(string expected, params string[] pairs)
    {
        var settings = pairs.Chunk(2).Select(pair => (pair[0], pair[1])).ToArray();

        var error = Should.Throw<OptionsValidationException>(() => Bind(settings));

        error.Failures.ShouldHaveSingleItem().ShouldStartWith(expected);
    }

    private static RegistryOptions Bind(params (string Key, string Value)[] settings) => RegistrySettings.Bind(RegistrySettings.Service(settings));
}
