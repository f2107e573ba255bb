using System.Collections.Frozen;
using Gateway.Domain;

namespace Gateway.Application.Edge;

/// <summary>The edge policies of every service that has one.</summary>
/// <remarks>
/// With none configured the lookup is a null check, so a gateway without policies does per request what it did
/// before they existed.
/// </remarks>
public sealed class EdgePolicies : IDisposable
{
    private readonly FrozenDictionary<string, EdgePolicy>? _byService;

    public EdgePolicies(IEnumerable<EdgePolicy> policies)
    {
        ArgumentNullException.ThrowIfNull(policies);
        var byService = policies.ToFrozenDictionary(policy => policy.Service, ServiceName.Comparer);
        _byService = byService.Count == 0 ? null : byService;
    }

    public static EdgePolicies None { get; } = new([]);

    public EdgePolicy? For(string service) => _byService?.GetValueOrDefault(service);

    public void Dispose()
    {
        foreach (var policy in _byService?.Values ?? [])
        {
            policy.Dispose();
        }
    }
}
