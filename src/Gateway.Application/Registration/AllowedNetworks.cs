using System.Net;
using System.Net.Sockets;

namespace Gateway.Application.Registration;

/// <summary>Which instance addresses the admin API accepts (<c>GATEWAY_ADMIN_ALLOWED_NETWORKS</c>).</summary>
/// <remarks>
/// <para>
/// Nothing is resolved: a name may point elsewhere by the time a request goes to it, and a lookup per registration
/// would make the admin API as slow as DNS. So only IP addresses, and <c>localhost</c> as loopback, are checked
/// against the networks; any other name is accepted only while no networks are configured.
/// </para>
/// <para>
/// Link-local addresses (169.254.0.0/16, fe80::/10) are where cloud metadata services answer, so they are refused
/// unless a listed network lies inside link-local space: a broad <c>0.0.0.0/0</c> does not let them in by accident.
/// </para>
/// </remarks>
public sealed class AllowedNetworks(IReadOnlyList<IPNetwork> networks)
{
    public const string Key = "GATEWAY_ADMIN_ALLOWED_NETWORKS";

    private static readonly IPNetwork[] LinkLocal = [IPNetwork.Parse("169.254.0.0/16"), IPNetwork.Parse("fe80::/10")];

    private static readonly IPAddress[] Loopback = [IPAddress.Loopback, IPAddress.IPv6Loopback];

    /// <summary>Any address but a link-local one, and any name: the default.</summary>
    public static AllowedNetworks Any { get; } = new([]);

    public IReadOnlyList<IPNetwork> Networks { get; } = networks;

    /// <summary>Parses one entry: a network in CIDR notation, or a single address.</summary>
    /// <remarks>
    /// Stricter than <see cref="IPNetwork.TryParse(string, out IPNetwork)"/>: <c>10.0.0.1/8</c> (bits set after the
    /// prefix) and <c>10.0.0/8</c> (a shortened address) are refused rather than read as 10.0.0.0/8, since whoever
    /// wrote them may well have meant something else.
    /// </remarks>
    public static bool TryParseNetwork(string text, out IPNetwork network)
    {
        ArgumentNullException.ThrowIfNull(text);
        network = default;
        var slash = text.IndexOf('/', StringComparison.Ordinal);
        var addressText = slash < 0 ? text : text[..slash];
        if (!IPAddress.TryParse(addressText, out var address)
            || (address.AddressFamily == AddressFamily.InterNetwork && addressText.Count(c => c == '.') != 3))
        {
            return false;
        }

        if (slash < 0)
        {
            network = new IPNetwork(address, address.AddressFamily == AddressFamily.InterNetwork ? 32 : 128);
            return true;
        }

        return IPNetwork.TryParse(text, out network) && network.BaseAddress.Equals(address);
    }

    /// <summary>Why an instance at <paramref name="host"/> may not be registered; null when it may.</summary>
    public string? Refusal(string host)
    {
        ArgumentNullException.ThrowIfNull(host);
        IPAddress[] addresses;
        if (host.Equals("localhost", StringComparison.OrdinalIgnoreCase))
        {
            addresses = Loopback;
        }
        else if (IPAddress.TryParse(host.Trim('[', ']'), out var address))
        {
            addresses = [address.IsIPv4MappedToIPv6 ? address.MapToIPv4() : address];
        }
        else
        {
            return Networks.Count == 0
                ? null
                : $"'{host}' is a host name, and with {Key} set only IP addresses (or localhost) are accepted";
        }

        if (Array.Exists(addresses, Admits))
        {
            return null;
        }

        return Array.Exists(addresses, IsLinkLocal)
            ? $"'{host}' is link-local (where cloud metadata services answer); it needs a network inside 169.254.0.0/16 or fe80::/10 listed in {Key}"
            : $"'{host}' is outside the networks in {Key}";
    }

    private bool Admits(IPAddress address)
    {
        if (IsLinkLocal(address))
        {
            return Networks.Any(network => network.Contains(address) && LinkLocal.Any(space => IsInside(network, space)));
        }

        return Networks.Count == 0 || Networks.Any(network => network.Contains(address));
    }

    private static bool IsLinkLocal(IPAddress address) => LinkLocal.Any(space => space.Contains(address));

    private static bool IsInside(IPNetwork inner, IPNetwork outer) =>
        inner.PrefixLength >= outer.PrefixLength && outer.Contains(inner.BaseAddress);
}
