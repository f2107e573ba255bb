using Gateway.Domain;

namespace Gateway.Application.Forwarding;

/// <summary>A client request bound to the instance chosen for it.</summary>
public sealed record UpstreamRequest(ForwardRequestCommand Command, Service Service, Instance Instance);
