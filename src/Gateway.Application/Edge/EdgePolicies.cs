using System.Collections.Frozen;
using Gateway.Domain;

namespace Gateway.Application.Edge;

/// <summary>The edge policies of every service that has one, replaced whole when the settings change.</summary>
/// <remarks>
/// <para>
/// With none in force the lookup is a null check, so a gateway without policies does per request what it did before
/// they existed; with some, it is one read of a frozen dictionary, never a lock.
/// </para>
/// <para>
/// A service whose settings did not change keeps its policy object, with its rate-limit buckets and fetched signing
/// keys; one whose rate limit did not change keeps its buckets whatever else did. Replaced policies are not disposed:
/// a request that looked one up just before the swap may still be admitted by it, and all they hold is memory.
/// </para>
/// </remarks>
public sealed class EdgePolicies(Func<string, EdgeSettings, EdgePolicy?, EdgePolicy> create) : IDisposable
{
    private readonly Lock _replaceLock = new();
    private volatile FrozenDictionary<string, EdgePolicy>? _byService;

    public EdgePolicy? For(string service) => _byService?.GetValueOrDefault(service);

    /// <summary>Puts these settings in force, by service name, in place of the ones before.</summary>
    public void Replace(IReadOnlyDictionary<string, EdgeSettings> settings)
    {
        ArgumentNullException.ThrowIfNull(settings);
        lock (_replaceLock)
        {
            var next = new Dictionary<string, EdgePolicy>(ServiceName.Comparer);
            foreach (var (service, wanted) in settings)
            {
                var previous = For(service);
                next[service] = previous is not null && EdgeSettings.Same(previous.Settings, wanted)
                    ? previous
                    : create(service, wanted, previous);
            }

            _byService = next.Count == 0 ? null : next.ToFrozenDictionary(ServiceName.Comparer);
        }
    }

    public void Dispose()
    {
        foreach (var policy in _byService?.Values ?? [])
        {
            policy.Dispose();
        }
    }
}
