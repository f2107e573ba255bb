namespace Gateway.Infrastructure.Http;

/// <summary>
/// The one rule for Content-Length values in either direction: two headers, or a comma-separated list, that name
/// different lengths leave the message's end in doubt (RFC 9112 §6.3). Equal repeats are allowed.
/// </summary>
public static class ContentLengths
{
    /// <summary>Takes one header value; false once a length in it differs from the first length seen.</summary>
    /// <param name="first">The first length seen so far, null before any; set by the first call.</param>
    public static bool Agree(ref string? first, string? value)
    {
        foreach (var range in value.AsSpan().Split(','))
        {
            var length = value.AsSpan()[range].Trim();
            if (first is null)
            {
                // Most values are one bare length: kept as they are, not copied.
                first = length.Length == value!.Length ? value : length.ToString();
            }
            else if (!length.SequenceEqual(first))
            {
                return false;
            }
        }

        return true;
    }
}
