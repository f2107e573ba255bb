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
        var rest = AfterFirstSegmentOf(Path(rawTarget, withQuery: true));
        if (rest.IsEmpty)
        {
            return "/";
        }

        return rest[0] == '?' ? string.Concat("/", rest) : rest.ToString();
    }

    /// <summary>
    /// Whether dot segments in the raw target climb out of its first segment. The server routes by the normalized
    /// path, so <c>/x/../svc/a</c> and <c>/svc/%2E%2E/other/a</c> reach the services of <c>/svc/a</c> and
    /// <c>/other/a</c>, while the instance would be sent the raw rest (<c>/../svc/a</c>, <c>/%2E%2E/other/a</c>): a
    /// path of another service. Dot segments that stay inside it (<c>/svc/a/../b</c>) are the instance's to resolve.
    /// </summary>
    public static bool LeavesFirstSegment(string rawTarget)
    {
        var path = Path(rawTarget);
        if (!path.StartsWith('/') || path.IndexOfAny('.', '%') < 0)
        {
            return false;
        }

        // How many segments the resolved path holds at each step, as the server's dot-segment removal counts them:
        // the first one is the service, and nothing may take its place.
        path = path[1..];
        var depth = 0;
        // A backslash counts as a separator too: the server turns it into one in an absolute-form target's path,
        // and some instances' servers do in any path.
        foreach (var range in path.SplitAny('/', '\\'))
        {
            var dots = DotSegment(path[range]);
            if (dots == 0)
            {
                depth++;
            }
            else if (depth == 0 || (dots == 2 && --depth == 0))
            {
                return true;
            }
        }

        return false;
    }

    /// <summary>1 for <c>.</c>, 2 for <c>..</c> (either spelled with <c>%2E</c> too), 0 for any other segment.</summary>
    private static int DotSegment(ReadOnlySpan<char> segment)
    {
        var dots = 0;
        while (!segment.IsEmpty)
        {
            if (segment[0] == '.')
            {
                segment = segment[1..];
            }
            else if (segment.StartsWith("%2E", StringComparison.OrdinalIgnoreCase))
            {
                segment = segment[3..];
            }
            else
            {
                return 0;
            }

            dots++;
        }

        return dots is 1 or 2 ? dots : 0;
    }

    /// <summary>What follows the first segment of a path (and query).</summary>
    private static ReadOnlySpan<char> AfterFirstSegmentOf(ReadOnlySpan<char> target)
    {
        if (target.StartsWith('/'))
        {
            target = target[1..];
        }

        var segmentEnd = target.IndexOfAny('/', '?');
        return segmentEnd < 0 ? [] : target[segmentEnd..];
    }

    /// <summary>The target's path (and query), without the scheme and authority of an absolute-form target.</summary>
    private static ReadOnlySpan<char> Path(string rawTarget, bool withQuery = false)
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

        var query = withQuery ? -1 : target.IndexOf('?');
        return query < 0 ? target : target[..query];
    }
}
