namespace Gateway.Api.Forwarding;

/// <summary>Splits the request target the client sent into the service segment and what goes to the instance.</summary>
internal static class RequestTarget
{
    /// <summary>
    /// The raw target after its first path segment, byte for byte: <c>/user-service/a%2Fb?x=%20</c> gives
    /// <c>/a%2Fb?x=%20</c>, and <c>/user-service</c> gives <c>/</c>.
    /// </summary>
    /// <remarks>
    /// The decoded <c>Request.Path</c> would turn <c>%2F</c> into a separator, so the raw target is used. An
    /// absolute-form target (<c>http://host/svc/x</c>) loses its scheme and authority here: only the path and query
    /// ever reach the instance, never an address.
    /// </remarks>
    public static string AfterFirstSegment(string rawTarget)
    {
        var target = rawTarget.AsSpan();
        if (!target.StartsWith('/'))
        {
            var schemeEnd = target.IndexOf("://", StringComparison.Ordinal);
            if (schemeEnd >= 0)
            {
                target = target[(schemeEnd + 3)..];
                var pathStart = target.IndexOfAny('/', '?');
                target = pathStart < 0 ? [] : target[pathStart..];
            }
        }

        if (target.StartsWith('/'))
        {
            target = target[1..];
        }

        var segmentEnd = target.IndexOfAny('/', '?');
        var rest = segmentEnd < 0 ? [] : target[segmentEnd..];
        if (rest.IsEmpty)
        {
            return "/";
        }

        return rest[0] == '?' ? string.Concat("/", rest) : rest.ToString();
    }
}
