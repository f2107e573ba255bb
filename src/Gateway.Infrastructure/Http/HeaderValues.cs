namespace Gateway.Infrastructure.Http;

/// <summary>The one rule for which header values pass through the gateway, in either direction.</summary>
/// <remarks>
/// Printable ASCII, spaces and tabs: what Kestrel sends and what the upstream client accepts by default. Control
/// characters are never valid in a field value (RFC 9110 §5.5); bytes above 0x7F (obs-text) are refused too, since
/// each side would read them in its own encoding and the value would not arrive as it was sent.
/// </remarks>
internal static class HeaderValues
{
    public static bool IsForwardable(string? value) =>
        value is null || value.AsSpan().IndexOfAnyExceptInRange(' ', '~') is var i && (i < 0 || IsTabsFrom(value, i));

    private static bool IsTabsFrom(string value, int first)
    {
        for (var i = first; i < value.Length; i++)
        {
            var c = value[i];
            if (c is not ('\t' or >= ' ' and <= '~'))
            {
                return false;
            }
        }

        return true;
    }
}
