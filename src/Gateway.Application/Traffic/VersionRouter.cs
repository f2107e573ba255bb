using System.Buffers.Text;
using System.Text.Json;
using Gateway.Application.Edge;
using Gateway.Application.Forwarding;
using Gateway.Application.Telemetry;
using Gateway.Domain;
using Gateway.Domain.Traffic;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Primitives;

namespace Gateway.Application.Traffic;

/// <summary>Chooses the version a request of a versioned service goes to: the one it names, its split's, or the default.</summary>
/// <remarks>Only services with versions come here; a plain service's request never does.</remarks>
/// <param name="proxies">Whose <c>X-Forwarded-For</c> names the client for <c>client_ip</c>, as for the rate limits.</param>
public sealed partial class VersionRouter(
    GatewayMetrics metrics, ILogger<VersionRouter> logger, Random? random = null, TrustedProxies? proxies = null)
{
    private readonly Random _random = random ?? Random.Shared;
    private readonly TrustedProxies _proxies = proxies ?? TrustedProxies.None;

    public VersionRoute Route(ForwardRequestCommand request, Service service, ServiceVersions versions)
    {
        ArgumentNullException.ThrowIfNull(request);
        ArgumentNullException.ThrowIfNull(service);
        ArgumentNullException.ThrowIfNull(versions);
        var routing = versions.Routing;
        var named = Named(request, routing);
        var pathAndQuery = request.PathAndQuery;
        if (named is null && routing.PathSegment && PathVersion(pathAndQuery, versions, out var rest) is { } segment)
        {
            named = segment;
            if (rest is not null)
            {
                request = request with { PathAndQuery = rest };
            }
        }

        ServiceVersion? version;
        if (named is not null)
        {
            version = versions.Find(named);
            if (version is null)
            {
                return new VersionRoute(null, request, named);
            }
        }
        else
        {
            version = (versions.SplitShares.Count > 0 ? BySplit(request, service, versions) : null) ?? versions.Default;
        }

        if (version is not null)
        {
            metrics.VersionRouted(service, version.Name);
        }

        return new VersionRoute(version, request, null);
    }

    /// <summary>A stable 64-bit position for a sticky key, the same in every process (unlike string.GetHashCode).</summary>
    public static ulong PointOf(string key)
    {
        ArgumentNullException.ThrowIfNull(key);

        // FNV-1a over the UTF-16 code units, then SplitMix64's finalizer so that keys differing in their last
        // characters spread over the whole range rather than its low bits.
        var hash = 14695981039346656037UL;
        foreach (var c in key)
        {
            hash = (hash ^ c) * 1099511628211UL;
        }

        hash = (hash ^ (hash >> 30)) * 0xBF58476D1CE4E5B9UL;
        hash = (hash ^ (hash >> 27)) * 0x94D049BB133111EBUL;
        return hash ^ (hash >> 31);
    }

    private ServiceVersion? BySplit(ForwardRequestCommand request, Service service, ServiceVersions versions)
    {
        var point = versions.Split?.StickyBy is { } sticky && StickyValue(request, sticky) is { Length: > 0 } key
            ? PointOf(key)
            : (ulong)_random.NextInt64(long.MinValue, long.MaxValue);
        var chosen = versions.ChooseBySplit(point);
        var shares = versions.SplitShares;
        for (var i = 0; i < shares.Count; i++)
        {
            var version = shares[i].Version;
            var hasShare = version.AvailableInstances.Count > 0;
            if (version.NoteShare(hasShare))
            {
                if (hasShare)
                {
                    LogShareRestored(logger, service.Name, version.Name);
                }
                else
                {
                    LogShareLost(logger, service.Name, version.Name);
                }
            }
        }

        return chosen;
    }

    private static string? Named(ForwardRequestCommand request, VersionRouting routing)
    {
        if (routing.Header is { } header && First(EdgeRequestHeaders.Find(request.Headers, header)) is { } fromHeader)
        {
            return fromHeader;
        }

        return routing.Query is { } query ? QueryValue(request.PathAndQuery, query) : null;
    }

    private static string? First(StringValues values)
    {
        foreach (var value in values)
        {
            if (value?.Trim() is { Length: > 0 } trimmed)
            {
                return trimmed;
            }
        }

        return null;
    }

    private static string? QueryValue(string pathAndQuery, string name)
    {
        var start = pathAndQuery.IndexOf('?', StringComparison.Ordinal);
        if (start < 0)
        {
            return null;
        }

        foreach (var pair in pathAndQuery[(start + 1)..].Split('&'))
        {
            var equals = pair.IndexOf('=', StringComparison.Ordinal);
            var key = equals < 0 ? pair : pair[..equals];
            if (equals > 0 && string.Equals(Unescape(key), name, StringComparison.OrdinalIgnoreCase)
                && Unescape(pair[(equals + 1)..]).Trim() is { Length: > 0 } value)
            {
                return value;
            }
        }

        return null;
    }

    private static string Unescape(string text) => Uri.UnescapeDataString(text.Replace('+', ' '));

    /// <summary>
    /// The version a first segment <c>v&lt;version&gt;</c> names, with the path left once it is removed. A segment is
    /// taken for a version when some instance runs it, or when it looks like one (<c>v</c> and a digit): then it is
    /// an unknown version. Any other (<c>/videos</c>) is an ordinary path and stays.
    /// </summary>
    private static string? PathVersion(string pathAndQuery, ServiceVersions versions, out string? rest)
    {
        rest = null;
        if (pathAndQuery.Length < 3 || pathAndQuery[1] != 'v')
        {
            return null;
        }

        var end = pathAndQuery.AsSpan(1).IndexOfAny('/', '?');
        end = end < 0 ? pathAndQuery.Length : end + 1;
        var candidate = pathAndQuery[2..end];
        if (versions.Find(candidate) is { } known)
        {
            rest = end == pathAndQuery.Length ? "/" : pathAndQuery[end] == '/' ? pathAndQuery[end..] : "/" + pathAndQuery[end..];
            return known.Name;
        }

        // A bare "/v" names no version: it is an ordinary path.
        return candidate.Length > 0 && char.IsAsciiDigit(candidate[0]) && TrafficSplit.IsVersionName(candidate) ? candidate : null;
    }

    private string? StickyValue(ForwardRequestCommand request, StickyKey sticky) => sticky.Kind switch
    {
        StickyKind.Header => First(EdgeRequestHeaders.Find(request.Headers, sticky.Name!)),
        StickyKind.Cookie => CookieValue(EdgeRequestHeaders.Find(request.Headers, "Cookie"), sticky.Name!),
        StickyKind.Claim => ClaimValue(EdgeRequestHeaders.Find(request.Headers, "Authorization"), sticky.Name!),
        _ => _proxies.ClientAddress(request.Client.Address, EdgeRequestHeaders.Find(request.Headers, "X-Forwarded-For")),
    };

    private static string? CookieValue(StringValues headers, string name)
    {
        foreach (var header in headers)
        {
            foreach (var pair in (header ?? "").Split(';', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries))
            {
                var equals = pair.IndexOf('=', StringComparison.Ordinal);
                if (equals > 0 && pair.AsSpan(0, equals).Trim().SequenceEqual(name))
                {
                    return pair[(equals + 1)..].Trim().Trim('"');
                }
            }
        }

        return null;
    }

    /// <summary>
    /// A claim of the bearer token, read from its payload. Stickiness is not a security decision (a client may name a
    /// version outright), so the token is not verified here; a service with JWT authentication has verified it before.
    /// </summary>
    private static string? ClaimValue(StringValues authorization, string claim)
    {
        var value = First(authorization);
        if (value is null || !value.StartsWith("Bearer ", StringComparison.OrdinalIgnoreCase))
        {
            return null;
        }

        var parts = value[7..].Trim().Split('.');
        if (parts.Length != 3)
        {
            return null;
        }

        try
        {
            using var payload = JsonDocument.Parse(Base64Url.DecodeFromChars(parts[1]));
            return payload.RootElement.ValueKind == JsonValueKind.Object && payload.RootElement.TryGetProperty(claim, out var found)
                ? found.ValueKind == JsonValueKind.String ? found.GetString() : found.GetRawText()
                : null;
        }
        catch (Exception error) when (error is FormatException or JsonException)
        {
            return null;
        }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "{Service}: version {Version} has no available instance; its share of the split goes to the other versions")]
    private static partial void LogShareLost(ILogger logger, string service, string version);

    [LoggerMessage(Level = LogLevel.Information, Message = "{Service}: version {Version} has an available instance again and takes its share of the split back")]
    private static partial void LogShareRestored(ILogger logger, string service, string version);
}
