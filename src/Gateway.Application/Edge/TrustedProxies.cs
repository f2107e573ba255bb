using System.Net;
using Microsoft.Extensions.Primitives;

namespace Gateway.Application.Edge;

/// <summary>The hops whose <c>X-Forwarded-For</c> is believed (<c>GATEWAY_TRUSTED_PROXIES</c>).</summary>
/// <remarks>
/// Anyone can write <c>X-Forwarded-For</c>, so it only counts when the connection comes from a listed proxy, and then
/// only up to the first hop that is not one: a client behind a trusted proxy cannot choose its own address, and so
/// cannot choose its rate-limit partition.
/// </remarks>
public sealed class TrustedProxies(IReadOnlyList<IPNetwork> networks)
{
    public const string Key = "GATEWAY_TRUSTED_PROXIES";

    public static TrustedProxies None { get; } = new([]);

    public IReadOnlyList<IPNetwork> Networks { get; } = networks;

    /// <summary>The client's address: the connection's, or the nearest untrusted hop its proxies name.</summary>
    public string? ClientAddress(string? connectionAddress, StringValues forwardedFor)
    {
        if (Networks.Count == 0 || forwardedFor.Count == 0 || !IsTrusted(connectionAddress))
        {
            return connectionAddress;
        }

        var client = connectionAddress;
        for (var v = forwardedFor.Count - 1; v >= 0; v--)
        {
            var hops = (forwardedFor[v] ?? "").Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries);
            for (var h = hops.Length - 1; h >= 0; h--)
            {
                if (!IPAddress.TryParse(hops[h], out var address))
                {
                    // Not an address: the chain cannot be followed further, and the last trusted hop is all that is known.
                    return client;
                }

                client = Normalize(address).ToString();
                if (!IsTrusted(address))
                {
                    return client;
                }
            }
        }

        return client;
    }

    private bool IsTrusted(string? address) => address is not null && IPAddress.TryParse(address, out var parsed) && IsTrusted(parsed);

    private bool IsTrusted(IPAddress address)
    {
        var normalized = Normalize(address);
        foreach (var network in Networks)
        {
            if (network.Contains(normalized))
            {
                return true;
            }
        }

        return false;
    }

    private static IPAddress Normalize(IPAddress address) => address.IsIPv4MappedToIPv6 ? address.MapToIPv4() : address;
}
