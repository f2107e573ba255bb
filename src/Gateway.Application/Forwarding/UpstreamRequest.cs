using Gateway.Application.Shaping;
using Gateway.Domain;

namespace Gateway.Application.Forwarding;

/// <summary>A client request bound to the instance chosen for it.</summary>
public sealed record UpstreamRequest(ForwardRequestCommand Command, Service Service, Instance Instance)
{
    /// <summary>The service's transforms and affinity, when it has any: the forwarder applies the request's part.</summary>
    public ShapingPolicy? Shaping { get; init; }
}
