namespace Gateway.Domain.Traffic;

/// <summary>What keeps a client on one version of a split: <c>header:</c>, <c>cookie:</c>, <c>claim:</c> or <c>client_ip</c>.</summary>
/// <param name="Name">The header, cookie or claim name; null for the client's address.</param>
public sealed record StickyKey(StickyKind Kind, string? Name)
{
    public static bool TryParse(string? text, out StickyKey? key)
    {
        key = null;
        var value = text?.Trim();
        if (string.Equals(value, "client_ip", StringComparison.OrdinalIgnoreCase))
        {
            key = new StickyKey(StickyKind.ClientIp, null);
            return true;
        }

        var colon = value?.IndexOf(':', StringComparison.Ordinal) ?? -1;
        if (colon <= 0)
        {
            return false;
        }

        var name = value![(colon + 1)..].Trim();
        var kind = value[..colon].Trim().ToLowerInvariant() switch
        {
            "header" => StickyKind.Header,
            "cookie" => StickyKind.Cookie,
            "claim" => StickyKind.Claim,
            _ => (StickyKind?)null,
        };
        if (kind is null || name.Length == 0)
        {
            return false;
        }

        key = new StickyKey(kind.Value, name);
        return true;
    }

    public override string ToString() => Kind switch
    {
        StickyKind.Header => $"header:{Name}",
        StickyKind.Cookie => $"cookie:{Name}",
        StickyKind.Claim => $"claim:{Name}",
        _ => "client_ip",
    };
}

/// <summary>Where a split's sticky key comes from.</summary>
public enum StickyKind
{
    ClientIp,
    Header,
    Cookie,
    Claim,
}
