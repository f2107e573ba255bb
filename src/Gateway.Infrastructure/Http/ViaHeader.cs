using System.Security.Cryptography;
using System.Text;
using Gateway.Infrastructure.Registry;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Primitives;

namespace Gateway.Infrastructure.Http;

/// <summary>
/// The gateway's entry in the <c>Via</c> header of every request it forwards (RFC 9110 §7.6.3), by which it knows a
/// request that comes back to it: an instance that is the gateway itself, or two gateways that point at each other.
/// </summary>
/// <remarks>
/// The entry's received-by is a pseudonym of the fleet, not of the replica: replicas that share an etcd registry
/// derive the same one from it, so a request going round a fleet is stopped by whichever replica it comes back to.
/// A gateway without a shared store is a fleet of one, with a pseudonym of its own. The pseudonym is a hash, so it
/// tells nothing about hosts or addresses.
/// </remarks>
public sealed class ViaHeader
{
    public const string Name = "Via";

    public ViaHeader(IOptions<RegistryStoreOptions> store)
    {
        var options = store.Value;
        var fleet = options.Kind == RegistryStoreKind.Etcd
            ? SHA256.HashData(Encoding.UTF8.GetBytes($"{options.EtcdEndpoints}|{options.EtcdKeyPrefix}"))
            : RandomNumberGenerator.GetBytes(8);
        Pseudonym = "msa-gateway-" + Convert.ToHexStringLower(fleet, 0, 8);
        Entry = "1.1 " + Pseudonym;
    }

    /// <summary>The fleet's received-by pseudonym.</summary>
    public string Pseudonym { get; }

    /// <summary>What the gateway adds: <c>1.1 {pseudonym}</c>.</summary>
    public string Entry { get; }

    /// <summary>Whether a request with these <c>Via</c> values has already passed through this fleet.</summary>
    public bool HasPassed(StringValues via)
    {
        foreach (var value in via)
        {
            // A cheap test first: nearly every request has no Via, or one without the pseudonym.
            if (value is null || !value.Contains(Pseudonym, StringComparison.Ordinal))
            {
                continue;
            }

            foreach (var range in value.AsSpan().Split(','))
            {
                // received-protocol RWS received-by [ RWS comment ]
                var entry = value.AsSpan()[range].Trim();
                var space = entry.IndexOfAny(' ', '\t');
                if (space < 0)
                {
                    continue;
                }

                var receivedBy = entry[(space + 1)..].TrimStart();
                var end = receivedBy.IndexOfAny(' ', '\t');
                if ((end < 0 ? receivedBy : receivedBy[..end]).SequenceEqual(Pseudonym))
                {
                    return true;
                }
            }
        }

        return false;
    }

    /// <summary>The <c>Via</c> value to send on: the client's entries, then the gateway's.</summary>
    public string Append(StringValues via) => via.Count == 0 ? Entry : $"{string.Join(", ", via.ToArray())}, {Entry}";
}
