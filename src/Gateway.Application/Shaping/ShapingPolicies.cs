using System.Collections.Frozen;
using Gateway.Application.Edge;
using Gateway.Domain;

namespace Gateway.Application.Shaping;

/// <summary>The session affinity and transforms of every service that has either, replaced whole on a reload.</summary>
/// <remarks>
/// With none configured the lookup is a null check, so a service without them does per request what it did before
/// they existed.
/// </remarks>
public sealed class ShapingPolicies(byte[] affinityKey, TrustedProxies proxies)
{
    private volatile FrozenDictionary<string, ShapingPolicy>? _byService;

    public ShapingPolicy? For(string service) => _byService?.GetValueOrDefault(service);

    /// <summary>Puts the configured settings in force: a service's affinity table starts afresh, its values stay valid.</summary>
    public void Replace(IReadOnlyDictionary<string, ShapingSettings> settings)
    {
        ArgumentNullException.ThrowIfNull(settings);
        var byService = settings.ToFrozenDictionary(
            service => service.Key,
            service => new ShapingPolicy(service.Value, affinityKey, proxies),
            ServiceName.Comparer);
        _byService = byService.Count == 0 ? null : byService;
    }
}
