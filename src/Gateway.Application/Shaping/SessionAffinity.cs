using Gateway.Application.Edge;
using Gateway.Domain;
using Microsoft.Extensions.Primitives;

namespace Gateway.Application.Shaping;

/// <summary>A service's session affinity: the instance a client's value names, and the value to give a client.</summary>
/// <remarks>
/// As YARP's affinity does: a request without a value, or whose value names no instance that may take requests now
/// (gone, unhealthy, drained, taken out or with an open circuit), is sent wherever the strategy says, and its response
/// carries the value of the instance that answered. A value that names no instance (forged, from another service, or
/// made with another key) is no value at all.
/// </remarks>
public sealed class SessionAffinity(AffinitySettings settings, byte[] key)
{
    private volatile AffinityTable? _table;

    public AffinitySettings Settings { get; } = settings;

    /// <summary>The instance the request's value names, while it may take requests; null otherwise.</summary>
    public Instance? Find(IEnumerable<KeyValuePair<string, StringValues>> headers, Service service)
    {
        ArgumentNullException.ThrowIfNull(service);
        var isCookie = Settings.Carrier == AffinityCarrier.Cookie;
        var values = EdgeRequestHeaders.Find(headers, isCookie ? "Cookie" : Settings.Name);
        if (values.Count == 0)
        {
            return null;
        }

        var table = TableFor(service);
        foreach (var value in values)
        {
            var token = isCookie ? CookieValue(value, Settings.Name) : value.AsSpan().Trim();
            if (!token.IsEmpty && table.Find(token) is { } instance)
            {
                return instance.IsAvailable ? instance : null;
            }
        }

        return null;
    }

    /// <summary>The header that ties the client to <paramref name="instance"/>, an instance of <paramref name="service"/>.</summary>
    /// <param name="secure">The client came over HTTPS, so a cookie is marked Secure.</param>
    public AffinityMark Mark(Service service, Instance instance, bool secure)
    {
        ArgumentNullException.ThrowIfNull(service);
        ArgumentNullException.ThrowIfNull(instance);
        return TableFor(service).MarkOf(instance, secure);
    }

    private AffinityTable TableFor(Service service)
    {
        var table = _table;
        if (table is null || !ReferenceEquals(table.Service, service))
        {
            // Two requests may build it at once after a change; either table is right, and one is kept.
            table = new AffinityTable(service, Settings, key);
            _table = table;
        }

        return table;
    }

    /// <summary>The value of the cookie <paramref name="name"/> in one <c>Cookie</c> header, without allocating.</summary>
    public static ReadOnlySpan<char> CookieValue(string? header, string name)
    {
        var rest = header.AsSpan();
        while (!rest.IsEmpty)
        {
            var end = rest.IndexOf(';');
            var pair = (end < 0 ? rest : rest[..end]).Trim();
            rest = end < 0 ? [] : rest[(end + 1)..];
            var equals = pair.IndexOf('=');
            if (equals > 0 && pair[..equals].TrimEnd().Equals(name, StringComparison.Ordinal))
            {
                var value = pair[(equals + 1)..].TrimStart();
                return value.Length >= 2 && value[0] == '"' && value[^1] == '"' ? value[1..^1] : value;
            }
        }

        return [];
    }
}
