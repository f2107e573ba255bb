namespace Gateway.Application.Shaping;

/// <summary>A service's session affinity and transforms as configured; either may be absent.</summary>
public sealed record ShapingSettings(AffinitySettings? Affinity, ServiceTransforms? Transforms);
