namespace Gateway.Application.Shaping;

/// <summary>A service's <c>Affinity</c>: which cookie or header ties a client to the instance that served it.</summary>
public sealed record AffinitySettings(AffinityCarrier Carrier, string Name);
