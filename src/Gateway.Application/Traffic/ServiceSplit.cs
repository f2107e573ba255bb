using Gateway.Domain.Traffic;

namespace Gateway.Application.Traffic;

/// <summary>A service's split as it stands after a change.</summary>
/// <param name="StickyBy">The configured sticky key, which a change of weights keeps; null for random.</param>
public sealed record ServiceSplit(string Service, IReadOnlyList<VersionWeight> Weights, string? StickyBy);
