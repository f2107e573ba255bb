using System.Collections.Frozen;
using Gateway.Application.Edge;
using Gateway.Application.Shaping;
using Microsoft.Extensions.Configuration;

namespace Gateway.Infrastructure.Configuration;

/// <summary>Reads a service's <c>Affinity</c> and <c>Transforms</c> sections of the registry.</summary>
/// <remarks>
/// A transform never touches what the gateway writes or what describes one connection: a value forged there would
/// pass for the gateway's own (a client address, the instance that answered, a claim the edge vouched for) or break
/// the framing between the gateway and the instance.
/// </remarks>
internal static class ShapingSettingsReader
{
    private static readonly FrozenSet<string> OwnedHeaders = new[]
    {
        "Connection", "Keep-Alive", "Proxy-Connection", "TE", "Trailer", "Transfer-Encoding", "Upgrade", "HTTP2-Settings",
        "Proxy-Authenticate", "Proxy-Authorization", "Host", "Content-Length", "Via", "traceparent", "tracestate", "X-Trace-Id",
        EdgePolicy.ApiKeyNameHeader,
    }.ToFrozenSet(StringComparer.OrdinalIgnoreCase);

    private const string OwnedProblem =
        "is a header the gateway owns (X-Forwarded-*, X-Gateway-*, hop-by-hop, Host, Content-Length, Via, trace context, X-Api-Key-Name): a transform cannot change it";

    private const string NotAHeaderName = "is not a header name: letters, digits and !#$%&'*+-.^_`|~ only";

    public static AffinitySettings? ReadAffinity(IConfigurationSection section, string path, SettingsReader settings)
    {
        var errorsBefore = settings.Errors.Count;
        IConfigurationSection? cookie = null;
        IConfigurationSection? header = null;
        foreach (var field in section.GetChildren())
        {
            switch (EdgeSettingsReader.Normalize(field.Key))
            {
                case "cookie":
                    cookie = field;
                    break;
                case "header":
                    header = field;
                    break;
                default:
                    settings.Fail($"{path}.{field.Key}: unknown setting (expected Cookie or Header)");
                    break;
            }
        }

        if (cookie is not null && header is not null)
        {
            settings.Fail($"{path}.{header.Key}", header.Value, "is given together with Cookie: set one of Cookie or Header");
        }
        else if (cookie is null && header is null)
        {
            settings.Fail($"{path}: missing Cookie or Header (such as {{ \"Cookie\": \"GW-Affinity\" }})");
        }

        var chosen = cookie ?? header;
        var name = chosen?.Value?.Trim() ?? "";
        if (chosen is not null && !EdgeSettingsReader.IsHeaderName(name))
        {
            settings.Fail($"{path}.{chosen.Key}", chosen.Value, cookie is null ? NotAHeaderName : "is not a cookie name: letters, digits and !#$%&'*+-.^_`|~ only");
        }
        else if (header is not null && IsOwned(name))
        {
            settings.Fail($"{path}.{header.Key}", header.Value, "is a header the gateway owns: affinity needs a header of its own");
        }

        return settings.Errors.Count == errorsBefore
            ? new AffinitySettings(cookie is null ? AffinityCarrier.Header : AffinityCarrier.Cookie, name)
            : null;
    }

    public static ServiceTransforms? ReadTransforms(IConfigurationSection section, string path, SettingsReader settings)
    {
        var errorsBefore = settings.Errors.Count;
        HeaderTransforms? request = null;
        HeaderTransforms? response = null;
        string? pathPrefix = null;
        foreach (var field in section.GetChildren())
        {
            var fieldPath = $"{path}.{field.Key}";
            switch (EdgeSettingsReader.Normalize(field.Key))
            {
                case "requestheaders":
                    request = ReadHeaders(field, fieldPath, settings);
                    break;
                case "responseheaders":
                    response = ReadHeaders(field, fieldPath, settings);
                    break;
                case "pathprefix":
                    pathPrefix = field.Value?.Trim();
                    if (!IsPathPrefix(pathPrefix))
                    {
                        settings.Fail(fieldPath, field.Value, "is not a path prefix: it must start with '/', not end with '/', and hold path characters only (no '?', '#', spaces, empty or dot segments)");
                    }

                    break;
                default:
                    settings.Fail($"{fieldPath}: unknown setting (expected RequestHeaders, ResponseHeaders or PathPrefix)");
                    break;
            }
        }

        return settings.Errors.Count == errorsBefore && (request ?? response ?? (object?)pathPrefix) is not null
            ? new ServiceTransforms(request, response, pathPrefix)
            : null;
    }

    /// <summary>
    /// Checks the transforms against the service's other settings, which write headers of their own: the claims its
    /// <c>Auth</c> forwards, and its affinity header.
    /// </summary>
    public static ShapingSettings? Combine(
        AffinitySettings? affinity, ServiceTransforms? transforms, EdgeSettings? edge, string service, SettingsReader settings)
    {
        if (affinity is null && transforms is null)
        {
            return null;
        }

        var claimHeaders = edge?.Jwt?.ForwardClaims.Select(claim => claim.Value).ToHashSet(StringComparer.OrdinalIgnoreCase) ?? [];
        foreach (var (direction, headers) in new[] { ("RequestHeaders", transforms?.RequestHeaders), ("ResponseHeaders", transforms?.ResponseHeaders) })
        {
            foreach (var (list, name) in headers?.Names ?? [])
            {
                if (claimHeaders.Contains(name))
                {
                    settings.Fail($"{service}.Transforms.{direction}.{list}", name, "is a header the service's Auth.ForwardClaims writes: a transform cannot change it");
                }
                else if (affinity is { Carrier: AffinityCarrier.Header } && string.Equals(affinity.Name, name, StringComparison.OrdinalIgnoreCase))
                {
                    settings.Fail($"{service}.Transforms.{direction}.{list}", name, "is the service's affinity header: a transform cannot change it");
                }
            }
        }

        return new ShapingSettings(affinity, transforms);
    }

    private static HeaderTransforms? ReadHeaders(IConfigurationSection section, string path, SettingsReader settings)
    {
        var set = new List<KeyValuePair<string, HeaderTemplate>>();
        var append = new List<KeyValuePair<string, HeaderTemplate>>();
        var remove = new List<string>();
        // Each header in one list only: removing and setting one header at once says two things.
        var seen = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
        foreach (var field in section.GetChildren())
        {
            var fieldPath = $"{path}.{field.Key}";
            switch (EdgeSettingsReader.Normalize(field.Key))
            {
                case "set":
                    ReadValues(field, fieldPath, "Set", set, seen, settings);
                    break;
                case "append":
                    ReadValues(field, fieldPath, "Append", append, seen, settings);
                    break;
                case "remove":
                    foreach (var (itemPath, name) in Names(field, fieldPath))
                    {
                        if (IsAllowed(name, itemPath, name, settings) && Once(name, "Remove", itemPath, name, seen, settings))
                        {
                            remove.Add(name);
                        }
                    }

                    break;
                default:
                    settings.Fail($"{fieldPath}: unknown setting (expected Set, Append or Remove)");
                    break;
            }
        }

        return set.Count + append.Count + remove.Count == 0 ? null : new HeaderTransforms(set, append, remove);
    }

    private static void ReadValues(
        IConfigurationSection section,
        string path,
        string list,
        List<KeyValuePair<string, HeaderTemplate>> into,
        Dictionary<string, string> seen,
        SettingsReader settings)
    {
        if (section.Value is { Length: > 0 } notAnObject)
        {
            settings.Fail(path, notAnObject, "is not an object of header names and values");
            return;
        }

        foreach (var header in section.GetChildren())
        {
            var headerPath = $"{path}.{header.Key}";
            var value = header.Value ?? "";
            if (!IsAllowed(header.Key, headerPath, value, settings) || !Once(header.Key, list, headerPath, value, seen, settings))
            {
                continue;
            }

            if (HeaderTemplate.TryParse(value, out var error) is { } template)
            {
                into.Add(new(header.Key, template));
            }
            else
            {
                settings.Fail(headerPath, value, error!);
            }
        }
    }

    /// <summary>A list of names, or a single one.</summary>
    private static IEnumerable<(string Path, string Name)> Names(IConfigurationSection section, string path)
    {
        if (section.Value is { Length: > 0 } single)
        {
            return [(path, single.Trim())];
        }

        return section.GetChildren()
            .OrderBy(item => int.TryParse(item.Key, out var i) ? i : int.MaxValue)
            .Select(item => ($"{path}[{item.Key}]", item.Value?.Trim() ?? ""));
    }

    private static bool IsAllowed(string name, string path, string value, SettingsReader settings)
    {
        if (!EdgeSettingsReader.IsHeaderName(name))
        {
            settings.Fail(path, value, NotAHeaderName);
            return false;
        }

        if (IsOwned(name))
        {
            settings.Fail(path, value, OwnedProblem);
            return false;
        }

        return true;
    }

    private static bool Once(string name, string list, string path, string value, Dictionary<string, string> seen, SettingsReader settings)
    {
        if (seen.TryAdd(name, list))
        {
            return true;
        }

        settings.Fail(path, value, $"names {name}, which {seen[name]} names already: each header may appear in one list, once");
        return false;
    }

    private static bool IsOwned(string name) =>
        OwnedHeaders.Contains(name)
        || name.StartsWith("X-Forwarded-", StringComparison.OrdinalIgnoreCase)
        || name.StartsWith("X-Gateway-", StringComparison.OrdinalIgnoreCase);

    /// <summary>Segments of RFC 3986 path characters, each escape complete: put before a raw path, it must not change its meaning.</summary>
    private static bool IsPathPrefix(string? prefix)
    {
        if (prefix is not { Length: > 1 } || prefix[0] != '/' || prefix[^1] == '/')
        {
            return false;
        }

        foreach (var segment in prefix[1..].Split('/'))
        {
            if (segment is "" or "." or "..")
            {
                return false;
            }

            for (var i = 0; i < segment.Length; i++)
            {
                var c = segment[i];
                if (c == '%')
                {
                    if (i + 2 >= segment.Length || !char.IsAsciiHexDigit(segment[i + 1]) || !char.IsAsciiHexDigit(segment[i + 2]))
                    {
                        return false;
                    }

                    i += 2;
                }
                else if (!char.IsAsciiLetterOrDigit(c) && !"-._~!$&'()*+,;=:@".Contains(c))
                {
                    return false;
                }
            }
        }

        return true;
    }
}
