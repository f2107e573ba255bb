using Gateway.Application.Forwarding;
using Gateway.Domain.Traffic;

namespace Gateway.Application.Traffic;

/// <summary>Where a request of a versioned service goes.</summary>
/// <param name="Version">The version whose instances may serve it; null for any instance of the service.</param>
/// <param name="Request">The request to forward: the one given, or a copy without the version's path segment.</param>
/// <param name="UnknownVersion">The version the request named when no instance runs it; then nothing is forwarded.</param>
public readonly record struct VersionRoute(ServiceVersion? Version, ForwardRequestCommand Request, string? UnknownVersion);
