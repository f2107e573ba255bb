using System.Net;
using Gateway.Application.Edge;
using Microsoft.Extensions.Primitives;

namespace Gateway.UnitTests.Application.Edge;

public sealed class TrustedProxiesTests
{
    private readonly TrustedProxies _proxies = new([IPNetwork.Parse("10.0.0.0/8")]);

    [Fact]
    public void ClientAddress_NoProxiesTrusted_IsTheConnectionsEvenWithForwardedFor()
    {
        var client = TrustedProxies.None.ClientAddress("203.0.113.9", "198.51.100.1");

        client.ShouldBe("203.0.113.9");
    }

    [Fact]
    public void ClientAddress_UntrustedConnection_IgnoresForwardedFor()
    {
        var client = _proxies.ClientAddress("203.0.113.9", "198.51.100.1");

        client.ShouldBe("203.0.113.9");
    }

    [Fact]
    public void ClientAddress_TrustedProxy_IsTheHopItNames()
    {
        var client = _proxies.ClientAddress("10.1.2.3", "198.51.100.1");

        client.ShouldBe("198.51.100.1");
    }

    [Fact]
    public void ClientAddress_ClientPrependsAForgedHop_IsTheNearestUntrustedHop()
    {
        var client = _proxies.ClientAddress("10.1.2.3", new StringValues(["1.2.3.4, 198.51.100.1", "10.9.9.9"]));

        client.ShouldBe("198.51.100.1");
    }

    [Fact]
    public void ClientAddress_GarbageHop_StopsAtTheLastTrustedOne()
    {
        var client = _proxies.ClientAddress("10.1.2.3", "anything-a-client-likes");

        client.ShouldBe("10.1.2.3");
    }
}
