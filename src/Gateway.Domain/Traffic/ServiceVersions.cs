namespace Gateway.Domain.Traffic;

/// <summary>
/// A service's versions, built once per change of the registry: the instances of each, how requests name one, and the
/// split of those that name none.
/// </summary>
public sealed class ServiceVersions
{
    private readonly Dictionary<string, ServiceVersion> _byName;

    internal ServiceVersions(VersionRouting routing, TrafficSplit? split, ServiceVersion[] versions)
    {
        Routing = routing;
        Split = split;
        All = versions;
        _byName = versions.ToDictionary(version => version.Name, StringComparer.OrdinalIgnoreCase);
        Names = [.. versions.Select(version => version.Name)];
        Default = routing.Default is { } name ? _byName.GetValueOrDefault(name) : null;
        SplitShares = split is null
            ? []
            : [.. split.Weights
                .Where(weight => weight.Weight > 0 && _byName.ContainsKey(weight.Version))
                .Select(weight => new SplitShare(_byName[weight.Version], weight.Weight))];
    }

    public VersionRouting Routing { get; }

    public TrafficSplit? Split { get; }

    /// <summary>The versions the instances run, in ordinal order.</summary>
    public IReadOnlyList<ServiceVersion> All { get; }

    /// <summary>The versions' names, in ordinal order: what an unknown version is told exists.</summary>
    public IReadOnlyList<string> Names { get; }

    /// <summary>The default version, when one is set and some instance runs it.</summary>
    public ServiceVersion? Default { get; }

    /// <summary>
    /// The split's versions that some instance runs and whose weight is above 0, in the split's fixed order; empty
    /// without a split.
    /// </summary>
    public IReadOnlyList<SplitShare> SplitShares { get; }

    public ServiceVersion? Find(string name) => _byName.GetValueOrDefault(name);

    /// <summary>
    /// The version a point of the split lands on, counting only versions with an available instance: a version that
    /// is down has no share, and the others divide its share in proportion. Null when no version has one.
    /// </summary>
    /// <param name="point">
    /// A 64-bit position, taken as a fraction of the whole: the same key keeps its place when the weights change, so it
    /// moves only when a boundary between ranges moves past it.
    /// </param>
    public ServiceVersion? ChooseBySplit(ulong point)
    {
        var shares = SplitShares;
        long total = 0;
        for (var i = 0; i < shares.Count; i++)
        {
            if (shares[i].Version.AvailableInstances.Count > 0)
            {
                total += shares[i].Weight;
            }
        }

        if (total == 0)
        {
            return null;
        }

        var target = (long)Math.BigMul(point, (ulong)total, out _);
        for (var i = 0; i < shares.Count; i++)
        {
            var share = shares[i];
            if (share.Version.AvailableInstances.Count == 0)
            {
                continue;
            }

            if (target < share.Weight)
            {
                return share.Version;
            }

            target -= share.Weight;
        }

        return null;
    }

    internal void Refresh(Instance[] serviceAvailable)
    {
        foreach (var version in All)
        {
            version.Refresh(serviceAvailable);
        }
    }
}

/// <summary>A version's place in a split.</summary>
public sealed record SplitShare(ServiceVersion Version, int Weight);
