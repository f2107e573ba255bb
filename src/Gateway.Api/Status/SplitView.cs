using Gateway.Domain.Traffic;

namespace Gateway.Api.Status;

/// <summary>A service's split as <c>GET /services</c> and the admin API show it: each version's weight, and the sticky key.</summary>
public sealed record SplitView(IReadOnlyDictionary<string, int> Weights, string? StickyBy)
{
    public static SplitView From(TrafficSplit split)
    {
        ArgumentNullException.ThrowIfNull(split);
        return new(split.Weights.ToDictionary(weight => weight.Version, weight => weight.Weight), split.StickyBy?.ToString());
    }
}
