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

    /// <summary>Every non-empty token the values list, in order.</summary>
    public static IEnumerable<string> All(StringValues values)
    {
        foreach (var value in values)
        {
            if (value is null)
            {
                continue;
            }

            foreach (var element in value.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries))
            {
                yield return element;
            }
        }
    }
}
