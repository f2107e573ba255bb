using System.Collections;
using System.Collections.Frozen;
using Microsoft.Extensions.Primitives;

namespace Gateway.Application.Edge;

/// <summary>
/// The client's headers less those the gateway vouches for (forwarded claims, the key's name), which a client could
/// otherwise forge, followed by the gateway's own values for them.
/// </summary>
internal sealed class EdgeRequestHeaders(
    IEnumerable<KeyValuePair<string, StringValues>> client,
    FrozenSet<string> removed,
    KeyValuePair<string, StringValues>[] added) : IEnumerable<KeyValuePair<string, StringValues>>
{
    public IEnumerator<KeyValuePair<string, StringValues>> GetEnumerator()
    {
        foreach (var header in client)
        {
            if (!removed.Contains(header.Key))
            {
                yield return header;
            }
        }

        foreach (var header in added)
        {
            yield return header;
        }
    }

    IEnumerator IEnumerable.GetEnumerator() => GetEnumerator();

    /// <summary>A header's values; the client's headers are a case-insensitive dictionary when they come from HTTP.</summary>
    public static StringValues Find(IEnumerable<KeyValuePair<string, StringValues>> headers, string name)
    {
        if (headers is IDictionary<string, StringValues> dictionary)
        {
            return dictionary.TryGetValue(name, out var values) ? values : StringValues.Empty;
        }

        foreach (var header in headers)
        {
            if (string.Equals(header.Key, name, StringComparison.OrdinalIgnoreCase))
            {
                return header.Value;
            }
        }

        return StringValues.Empty;
    }
}
