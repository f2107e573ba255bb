namespace Gateway.Application.Edge;

/// <summary>Reads OAuth scopes from a token's <c>scope</c> (space-separated) and <c>scp</c> claims.</summary>
public static class Scopes
{
    /// <summary>Whether every required scope is among those the claim values grant.</summary>
    public static bool GrantsAll(IReadOnlyList<string> claimValues, IReadOnlyList<string> required)
    {
        ArgumentNullException.ThrowIfNull(claimValues);
        ArgumentNullException.ThrowIfNull(required);
        foreach (var scope in required)
        {
            if (!Grants(claimValues, scope))
            {
                return false;
            }
        }

        return true;
    }

    private static bool Grants(IReadOnlyList<string> claimValues, string scope)
    {
        foreach (var value in claimValues)
        {
            foreach (var range in value.AsSpan().Split(' '))
            {
                if (value.AsSpan()[range].Trim().SequenceEqual(scope))
                {
                    return true;
                }
            }
        }

        return false;
    }
}
