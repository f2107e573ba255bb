using System.Diagnostics;
using Gateway.Application.Edge;
using Gateway.Application.Forwarding;
using Gateway.Application.Shaping;
using Gateway.UnitTests.TestSupport;
using Microsoft.Extensions.Primitives;

namespace Gateway.UnitTests.Application.Shaping;

public sealed class HeaderTemplateTests
{
    [Theory]
    [InlineData("yes", "yes")]
    [InlineData("", "")]
    [InlineData("{{literal}}", "{literal}")]
    [InlineData("a}}b{{c", "a}b{c")]
    [InlineData("svc={Service}", "svc=orders")]
    [InlineData("{service}/{INSTANCE}", "orders/a:8080")]
    [InlineData("{Instance}", "a:8080")]
    [InlineData("ip {ClientIp} via {Service}!", "ip 203.0.113.7 via orders!")]
    public void Render_ParsedValue_ReplacesEachVariable(string text, string expected)
    {
        var template = HeaderTemplate.TryParse(text, out var error);

        error.ShouldBeNull();
        template.ShouldNotBeNull().Render(Context()).ShouldBe(expected);
        template.Text.ShouldBe(text);
    }

    [Theory]
    [InlineData("{Region}", "unknown variable {Region}")]
    [InlineData("x-{Nope}-y", "unknown variable {Nope}")]
    [InlineData("{}", "unknown variable {}")]
    [InlineData("open {Service", "never closed")]
    [InlineData("close }", "closes nothing")]
    [InlineData("line\r\nX-Injected: 1", "control character")]
    [InlineData("tab\there", "control character")]
    [InlineData("caf\u00e9", "outside printable ASCII")]
    public void TryParse_InvalidValue_SaysWhy(string text, string problem)
    {
        var template = HeaderTemplate.TryParse(text, out var error);

        template.ShouldBeNull();
        error.ShouldNotBeNull().ShouldContain(problem);
    }

    [Fact]
    public void TryParse_UnknownVariable_ListsTheKnownOnes()
    {
        HeaderTemplate.TryParse("{Region}", out var error);

        error.ShouldBe("uses the unknown variable {Region} (expected {ClientIp}, {RequestId}, {Service}, {Instance} or {Version})");
    }

    [Fact]
    public void Render_RequestId_IsTheTraceIdOfTheCurrentSpan()
    {
        var template = HeaderTemplate.TryParse("req-{RequestId}", out _).ShouldNotBeNull();
        using var span = new Activity("test").SetIdFormat(ActivityIdFormat.W3C).Start();

        var value = template.Render(Context());

        value.ShouldBe($"req-{span.TraceId.ToHexString()}");
    }

    [Fact]
    public void Render_ClientIpBehindATrustedProxy_IsTheAddressTheProxyNames()
    {
        var template = HeaderTemplate.TryParse("{ClientIp}", out _).ShouldNotBeNull();
        var proxies = new TrustedProxies([System.Net.IPNetwork.Parse("10.0.0.0/8")]);

        var value = template.Render(Context("10.1.2.3", proxies, ("X-Forwarded-For", "198.51.100.9")));

        value.ShouldBe("198.51.100.9");
    }

    [Fact]
    public void Render_ClientIpFromAnUntrustedPeer_IgnoresItsForwardedFor()
    {
        var template = HeaderTemplate.TryParse("{ClientIp}", out _).ShouldNotBeNull();

        var value = template.Render(Context("203.0.113.7", TrustedProxies.None, ("X-Forwarded-For", "198.51.100.9")));

        value.ShouldBe("203.0.113.7");
    }

    internal static TransformContext Context(
        string? clientAddress = "203.0.113.7", TrustedProxies? proxies = null, params (string Name, string Value)[] headers)
    {
        var service = TestServices.Create("round_robin", 2);
        var command = new ForwardRequestCommand(
            "orders", "GET", "/list", headers.ToDictionary(h => h.Name, h => new StringValues(h.Value), StringComparer.OrdinalIgnoreCase),
            null, null, new ClientInfo(clientAddress, "http", "gateway.test"));
        return new TransformContext(new UpstreamRequest(command, service, service.Instances[0]), proxies ?? TrustedProxies.None);
    }
}
