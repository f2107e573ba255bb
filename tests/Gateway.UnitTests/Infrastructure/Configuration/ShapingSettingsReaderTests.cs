using Gateway.Application.Shaping;
using Gateway.Infrastructure.Configuration;
using Microsoft.Extensions.Options;
using static Gateway.UnitTests.TestSupport.RegistrySettings;

namespace Gateway.UnitTests.Infrastructure.Configuration;

/// <summary>The registry's <c>Affinity</c> and <c>Transforms</c> keys as the registry loader reads them.</summary>
public sealed class ShapingSettingsReaderTests
{
    [Fact]
    public void Bind_AffinityAndEveryTransform_ReadsEverySetting()
    {
        var options = Bind(Service(
            ("Affinity:Cookie", "GW-Affinity"),
            ("Transforms:RequestHeaders:Set:X-From-Gateway", "yes"),
            ("Transforms:RequestHeaders:Append:X-Trail", "{Service}@{Instance}"),
            ("Transforms:RequestHeaders:Remove:0", "X-Debug"),
            ("Transforms:RequestHeaders:Remove:1", "Cookie"),
            ("Transforms:ResponseHeaders:Set:X-Request", "{RequestId}"),
            ("Transforms:ResponseHeaders:Remove", "Server"),
            ("Transforms:PathPrefix", "/api/v1")));

        var shaping = options.Shaping["ORDERS"];
        shaping.Affinity.ShouldBe(new AffinitySettings(AffinityCarrier.Cookie, "GW-Affinity"));
        var transforms = shaping.Transforms.ShouldNotBeNull();
        transforms.PathPrefix.ShouldBe("/api/v1");
        var request = transforms.RequestHeaders.ShouldNotBeNull();
        request.Set.ShouldHaveSingleItem().Key.ShouldBe("X-From-Gateway");
        request.Append.ShouldHaveSingleItem().Value.Text.ShouldBe("{Service}@{Instance}");
        request.Remove.ShouldBe(["X-Debug", "Cookie"]);
        var response = transforms.ResponseHeaders.ShouldNotBeNull();
        response.Set.ShouldHaveSingleItem().Key.ShouldBe("X-Request");
        response.Remove.ShouldBe(["Server"]);
    }

    [Fact]
    public void Bind_AffinityByHeader_SnakeCaseKeys()
    {
        var options = Bind(Service(("affinity:header", "X-Affinity"), ("transforms:path_prefix", "/api")));

        options.Shaping["orders"].Affinity.ShouldBe(new AffinitySettings(AffinityCarrier.Header, "X-Affinity"));
        options.Shaping["orders"].Transforms!.RequestHeaders.ShouldBeNull();
    }

    [Fact]
    public void Bind_ServiceWithNeither_HasNoEntry()
    {
        var options = Bind(Service());

        options.Shaping.ShouldBeEmpty();
    }

    [Theory]
    // Affinity.
    [InlineData("Affinity:Cookie", "bad name", "orders.Affinity.Cookie: 'bad name' is not a cookie name")]
    [InlineData("Affinity:Header", "X-Gateway-Instance", "orders.Affinity.Header: 'X-Gateway-Instance' is a header the gateway owns")]
    [InlineData("Affinity:Header", "X-Forwarded-For", "orders.Affinity.Header: 'X-Forwarded-For' is a header the gateway owns")]
    // The gateway's own headers, in every list and both directions.
    [InlineData("Transforms:RequestHeaders:Set:X-Forwarded-For", "1.2.3.4", "orders.Transforms.RequestHeaders.Set.X-Forwarded-For: '1.2.3.4' is a header the gateway owns")]
    [InlineData("Transforms:RequestHeaders:Set:x-forwarded-proto", "https", "orders.Transforms.RequestHeaders.Set.x-forwarded-proto: 'https' is a header the gateway owns")]
    [InlineData("Transforms:RequestHeaders:Append:X-Forwarded-For", "1.2.3.4", "orders.Transforms.RequestHeaders.Append.X-Forwarded-For: '1.2.3.4' is a header the gateway owns")]
    [InlineData("Transforms:RequestHeaders:Remove:0", "X-Forwarded-Host", "orders.Transforms.RequestHeaders.Remove[0]: 'X-Forwarded-Host' is a header the gateway owns")]
    [InlineData("Transforms:ResponseHeaders:Set:X-Gateway-Instance", "me", "orders.Transforms.ResponseHeaders.Set.X-Gateway-Instance: 'me' is a header the gateway owns")]
    [InlineData("Transforms:ResponseHeaders:Remove:0", "X-Gateway-Service", "orders.Transforms.ResponseHeaders.Remove[0]: 'X-Gateway-Service' is a header the gateway owns")]
    [InlineData("Transforms:ResponseHeaders:Remove:0", "X-Trace-Id", "orders.Transforms.ResponseHeaders.Remove[0]: 'X-Trace-Id' is a header the gateway owns")]
    [InlineData("Transforms:RequestHeaders:Set:Host", "evil.example", "orders.Transforms.RequestHeaders.Set.Host: 'evil.example' is a header the gateway owns")]
    [InlineData("Transforms:RequestHeaders:Set:Content-Length", "0", "orders.Transforms.RequestHeaders.Set.Content-Length: '0' is a header the gateway owns")]
    [InlineData("Transforms:RequestHeaders:Remove:0", "Via", "orders.Transforms.RequestHeaders.Remove[0]: 'Via' is a header the gateway owns")]
    [InlineData("Transforms:RequestHeaders:Set:traceparent", "00-x", "orders.Transforms.RequestHeaders.Set.traceparent: '00-x' is a header the gateway owns")]
    [InlineData("Transforms:RequestHeaders:Set:X-Api-Key-Name", "admin", "orders.Transforms.RequestHeaders.Set.X-Api-Key-Name: 'admin' is a header the gateway owns")]
    [InlineData("Transforms:RequestHeaders:Set:Connection", "close", "orders.Transforms.RequestHeaders.Set.Connection: 'close' is a header the gateway owns")]
    [InlineData("Transforms:RequestHeaders:Set:Keep-Alive", "1", "orders.Transforms.RequestHeaders.Set.Keep-Alive: '1' is a header the gateway owns")]
    [InlineData("Transforms:RequestHeaders:Set:TE", "gzip", "orders.Transforms.RequestHeaders.Set.TE: 'gzip' is a header the gateway owns")]
    [InlineData("Transforms:RequestHeaders:Set:Trailer", "x", "orders.Transforms.RequestHeaders.Set.Trailer: 'x' is a header the gateway owns")]
    [InlineData("Transforms:ResponseHeaders:Set:Transfer-Encoding", "chunked", "orders.Transforms.ResponseHeaders.Set.Transfer-Encoding: 'chunked' is a header the gateway owns")]
    [InlineData("Transforms:RequestHeaders:Set:Upgrade", "h2c", "orders.Transforms.RequestHeaders.Set.Upgrade: 'h2c' is a header the gateway owns")]
    [InlineData("Transforms:RequestHeaders:Remove:0", "Proxy-Connection", "orders.Transforms.RequestHeaders.Remove[0]: 'Proxy-Connection' is a header the gateway owns")]
    // Names and values.
    [InlineData("Transforms:RequestHeaders:Set:Bad Header", "x", "orders.Transforms.RequestHeaders.Set.Bad Header: 'x' is not a header name")]
    [InlineData("Transforms:RequestHeaders:Remove:0", "Bad(Name)", "orders.Transforms.RequestHeaders.Remove[0]: 'Bad(Name)' is not a header name")]
    [InlineData("Transforms:RequestHeaders:Set:X-Split", "a\r\nX-Injected: 1", "orders.Transforms.RequestHeaders.Set.X-Split: 'a\r\nX-Injected: 1' holds a control character")]
    [InlineData("Transforms:ResponseHeaders:Set:X-Where", "{Zone}", "orders.Transforms.ResponseHeaders.Set.X-Where: '{Zone}' uses the unknown variable {Zone}")]
    [InlineData("Transforms:RequestHeaders:Set:X-Where", "{Service", "orders.Transforms.RequestHeaders.Set.X-Where: '{Service' has a '{' that is never closed")]
    [InlineData("Transforms:RequestHeaders:Set", "yes", "orders.Transforms.RequestHeaders.Set: 'yes' is not an object of header names and values")]
    [InlineData("Transforms:RequestHeaders:Replace:X-A", "1", "orders.Transforms.RequestHeaders.Replace: unknown setting (expected Set, Append or Remove)")]
    [InlineData("Transforms:Prefix", "/api", "orders.Transforms.Prefix: unknown setting (expected RequestHeaders, ResponseHeaders or PathPrefix)")]
    // Path prefixes.
    [InlineData("Transforms:PathPrefix", "api", "orders.Transforms.PathPrefix: 'api' is not a path prefix")]
    [InlineData("Transforms:PathPrefix", "/api/", "orders.Transforms.PathPrefix: '/api/' is not a path prefix")]
    [InlineData("Transforms:PathPrefix", "/", "orders.Transforms.PathPrefix: '/' is not a path prefix")]
    [InlineData("Transforms:PathPrefix", "/a//b", "orders.Transforms.PathPrefix: '/a//b' is not a path prefix")]
    [InlineData("Transforms:PathPrefix", "/api/../admin", "orders.Transforms.PathPrefix: '/api/../admin' is not a path prefix")]
    [InlineData("Transforms:PathPrefix", "/api?x=1", "orders.Transforms.PathPrefix: '/api?x=1' is not a path prefix")]
    [InlineData("Transforms:PathPrefix", "/a b", "orders.Transforms.PathPrefix: '/a b' is not a path prefix")]
    [InlineData("Transforms:PathPrefix", "/a%2", "orders.Transforms.PathPrefix: '/a%2' is not a path prefix")]
    public void Bind_InvalidSetting_FailsWithOneLineNamingKeyAndValue(string key, string value, string expected)
    {
        var error = Should.Throw<OptionsValidationException>(() => Bind(Service((key, value))));

        error.Failures.ShouldHaveSingleItem().ShouldStartWith(expected);
    }

    [Fact]
    public void Bind_AffinityWithBothNeitherOrAnUnknownKey_Fails()
    {
        var both = Should.Throw<OptionsValidationException>(() => Bind(Service(("Affinity:Cookie", "a"), ("Affinity:Header", "X-A"))));
        var neither = Should.Throw<OptionsValidationException>(() => Bind(Service(("Affinity", ""))));
        var unknown = Should.Throw<OptionsValidationException>(() => Bind(Service(("Affinity:Cookie", "a"), ("Affinity:Sticky", "yes"))));

        unknown.Failures.ShouldHaveSingleItem().ShouldBe("orders.Affinity.Sticky: unknown setting (expected Cookie or Header)");
        both.Failures.ShouldHaveSingleItem().ShouldBe("orders.Affinity.Header: 'X-A' is given together with Cookie: set one of Cookie or Header");
        neither.Failures.ShouldHaveSingleItem().ShouldStartWith("orders.Affinity: missing Cookie or Header");
    }

    [Fact]
    public void Bind_HeaderInTwoLists_Fails()
    {
        var error = Should.Throw<OptionsValidationException>(() => Bind(Service(
            ("Transforms:RequestHeaders:Set:X-Debug", "1"), ("Transforms:RequestHeaders:Remove:0", "x-debug"))));

        error.Failures.ShouldHaveSingleItem().ShouldBe(
            "orders.Transforms.RequestHeaders.Set.X-Debug: '1' names X-Debug, which Remove names already: each header may appear in one list, once");
    }

    [Fact]
    public void Bind_TransformOfAForwardedClaimsHeader_Fails()
    {
        var error = Should.Throw<OptionsValidationException>(() => Bind(Service(
            ("Auth:Type", "jwt"),
            ("Auth:Issuer", "https://issuer.example"),
            ("Auth:Audiences:0", "orders-api"),
            ("Auth:JwksUrl", "http://127.0.0.1:9000/jwks"),
            ("Auth:ForwardClaims:sub", "X-User-Id"),
            ("Transforms:RequestHeaders:Set:X-User-Id", "admin"))));

        error.Failures.ShouldHaveSingleItem().ShouldBe(
            "orders.Transforms.RequestHeaders.Set: 'X-User-Id' is a header the service's Auth.ForwardClaims writes: a transform cannot change it");
    }

    [Fact]
    public void Bind_TransformOfTheAffinityHeader_Fails()
    {
        var error = Should.Throw<OptionsValidationException>(() => Bind(Service(
            ("Affinity:Header", "X-Affinity"), ("Transforms:ResponseHeaders:Remove:0", "X-Affinity"))));

        error.Failures.ShouldHaveSingleItem().ShouldBe(
            "orders.Transforms.ResponseHeaders.Remove: 'X-Affinity' is the service's affinity header: a transform cannot change it");
    }

    [Fact]
    public void AffinityKey_SetOrNot_IsTheSettingOrRandomPerProcess()
    {
        var set = new AffinityOptions();
        AffinityOptions.Bind(set, ConfigurationOf(("GATEWAY_AFFINITY_KEY", "shared by every replica")));
        var first = new AffinityOptions();
        var second = new AffinityOptions();
        AffinityOptions.Bind(first, ConfigurationOf());
        AffinityOptions.Bind(second, ConfigurationOf());

        set.HashKey.ShouldBe("shared by every replica"u8.ToArray());
        first.HashKey.Length.ShouldBe(32);
        first.HashKey.ShouldBe(first.HashKey);
        first.HashKey.ShouldNotBe(second.HashKey);
    }
}
