using Microsoft.Extensions.Primitives;

namespace Gateway.Infrastructure.Http;

/// <summary>
/// Header values that are comma-separated lists of tokens (RFC 9110 §5.6.1), such as Connection and Upgrade, read in
/// this one place: each element trimmed, compared case-insensitively.
/// </summary>
public static class HeaderTokens
{
    /// <summary>Whether any of the values lists the token; allocates nothing.</summary>
    public static bool Contains(StringValues values, string token)
    {
        foreach (var value in values)
        {
            if (value is null)
            {
                continue;
            }

            foreach (var range in value.AsSpan().Split(','))
            {
                if (value.AsSpan()[range].Trim().Equals(token, StringComparison.OrdinalIgnoreCase))
                {
                    return true;
                }
            }
        }

        return false;
    }

    /// <summary>Every non-empty token the values list, in order; allocates only each token's string.</summary>
    /// <remarks>
    /// A struct to <c>foreach</c> over rather than an iterator over <c>string.Split</c>: a browser's
    /// <c>Connection: keep-alive</c> is read on every request it sends.
    /// </remarks>
    public static Tokens All(StringValues values) => new(values);

    /// <summary>The tokens of header values, for <c>foreach</c>.</summary>
    public readonly struct Tokens(StringValues values)
    {
        public Enumerator GetEnumerator() => new(values);
    }

    public struct Enumerator(StringValues values)
    {
        private int _index = -1;
        private int _start;

        public string Current { get; private set; } = "";

        public bool MoveNext()
        {
            while (true)
            {
                var value = _index >= 0 ? values[_index] : null;
                if (value is null || _start > value.Length)
                {
                    if (++_index >= values.Count)
                    {
                        return false;
                    }

                    _start = 0;
                    continue;
                }

                var rest = value.AsSpan(_start);
                var comma = rest.IndexOf(',');
                var element = (comma < 0 ? rest : rest[..comma]).Trim();
                _start = comma < 0 ? value.Length + 1 : _start + comma + 1;
                if (element.Length > 0)
                {
                    Current = element.ToString();
                    return true;
                }
            }
        }
    }
}
