using System.Net;
using Gateway.Application.Registration;

namespace Gateway.UnitTests.Application.Registration;

public sealed class AllowedNetworksTests
{
    [Theory]
    [InlineData("10.0.0.7")]
    [InlineData("::1")]
    [InlineData("[2001:db8::1]")]
    [InlineData("localhost")]
    [InlineData("svc.internal.example")]
    public void Refusal_DefaultAnyAddress_AcceptsAddressesAndNames(string host)
    {
        var refusal = AllowedNetworks.Any.Refusal(host);

        refusal.ShouldBeNull();
    }

    [Theory]
    [InlineData("169.254.169.254")]
    [InlineData("169.254.0.1")]
    [InlineData("fe80::1")]
    [InlineData("[fe80::a:b]")]
    [InlineData("::ffff:169.254.169.254")]
    public void Refusal_LinkLocalByDefault_RefusesSayingWhy(string host)
    {
        var refusal = AllowedNetworks.Any.Refusal(host);

        refusal.ShouldNotBeNull().ShouldContain("link-local");
    }

    [Fact]
    public void Refusal_BroadNetworkListed_StillRefusesLinkLocal()
    {
        var networks = Networks("0.0.0.0/0", "::/0");

        var refusal = networks.Refusal("169.254.169.254");

        refusal.ShouldNotBeNull().ShouldContain("link-local");
        networks.Refusal("203.0.113.9").ShouldBeNull();
    }

    [Theory]
    [InlineData("169.254.0.0/16", "169.254.169.254")]
    [InlineData("169.254.10.0/24", "169.254.10.5")]
    [InlineData("fe80::/10", "fe80::1")]
    public void Refusal_LinkLocalNetworkListed_Accepts(string network, string host)
    {
        var refusal = Networks(network).Refusal(host);

        refusal.ShouldBeNull();
    }

    [Theory]
    [InlineData("10.1.2.3", true)]
    [InlineData("10.255.255.255", true)]
    [InlineData("11.0.0.1", false)]
    [InlineData("192.168.1.1", false)]
    [InlineData("::ffff:10.1.2.3", true)]
    [InlineData("2001:db8::5", true)]
    [InlineData("2001:db9::5", false)]
    [InlineData("localhost", false)]
    public void Refusal_NetworksListed_AcceptsOnlyAddressesInsideThem(string host, bool accepted)
    {
        var refusal = Networks("10.0.0.0/8", "2001:db8::/32").Refusal(host);

        (refusal is null).ShouldBe(accepted);
    }

    [Theory]
    [InlineData("127.0.0.0/8")]
    [InlineData("::1/128")]
    public void Refusal_LoopbackListed_AcceptsLocalhost(string network)
    {
        var refusal = Networks(network).Refusal("localhost");

        refusal.ShouldBeNull();
    }

    [Fact]
    public void Refusal_HostNameWithNetworksListed_RefusesSinceNothingIsResolved()
    {
        var refusal = Networks("10.0.0.0/8").Refusal("svc.internal.example");

        refusal.ShouldNotBeNull().ShouldContain("host name");
    }

    [Theory]
    [InlineData("10.0.0.0/8", "10.0.0.0/8")]
    [InlineData("10.1.2.3", "10.1.2.3/32")]
    [InlineData("2001:db8::1", "2001:db8::1/128")]
    [InlineData("fe80::/10", "fe80::/10")]
    public void TryParseNetwork_CidrOrAddress_Parses(string text, string expected)
    {
        var parsed = AllowedNetworks.TryParseNetwork(text, out var network);

        parsed.ShouldBeTrue();
        network.ShouldBe(IPNetwork.Parse(expected));
    }

    [Theory]
    [InlineData("10.0.0.0/33")]
    [InlineData("10.0.0.1/8")]
    [InlineData("10.0.0/8")]
    [InlineData("example.com")]
    [InlineData("10.0.0.0/")]
    public void TryParseNetwork_NotANetwork_Fails(string text)
    {
        var parsed = AllowedNetworks.TryParseNetwork(text, out _);

        parsed.ShouldBeFalse();
    }

    private static AllowedNetworks Networks(params string[] networks) =>
        new([.. networks.Select(network => IPNetwork.Parse(network))]);
}
