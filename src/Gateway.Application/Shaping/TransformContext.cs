using Gateway.Application.Edge;
using Gateway.Application.Forwarding;

namespace Gateway.Application.Shaping;

/// <summary>What the variables of a transform are read from: one attempt of one request, on the instance it went to.</summary>
public readonly record struct TransformContext(UpstreamRequest Request, TrustedProxies Proxies)
{
    /// <summary>The client's address as the edge policies see it: behind trusted proxies, the hop they name.</summary>
    public string? ClientIp() =>
        Proxies.ClientAddress(Request.Command.Client.Address, EdgeRequestHeaders.Find(Request.Command.Headers, "X-Forwarded-For"));
}
