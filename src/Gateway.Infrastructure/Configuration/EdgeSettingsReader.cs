using Gateway.Application.Edge;
using Microsoft.Extensions.Configuration;
using Microsoft.IdentityModel.Tokens;

namespace Gateway.Infrastructure.Configuration;

/// <summary>Reads a service's <c>Auth</c> and <c>RateLimit</c> sections of the registry.</summary>
/// <remarks>
/// A problem names the path and the value as the registry loader does, except for API key hashes: a bad one is often
/// the key itself pasted by mistake, and start-up errors end up in logs.
/// </remarks>
internal static class EdgeSettingsReader
{
    /// <summary>Signatures checked with a public key. <c>none</c> and HMAC never are: with a key from a JWKS, HMAC
    /// would make the public key a shared secret anyone can sign with.</summary>
    private static readonly string[] AsymmetricAlgorithms =
        ["RS256", "RS384", "RS512", "PS256", "PS384", "PS512", "ES256", "ES384", "ES512"];

    private static readonly string[] DefaultAlgorithms = ["RS256", "ES256"];

    private static readonly string[] JwtKeys =
        ["type", "issuer", "audiences", "jwksurl", "jwksfile", "algorithms", "clockskewseconds", "requiredscopes", "forwardclaims", "forwardauthorization"];

    private static readonly string[] ApiKeyKeys = ["type", "header", "keys", "forwardauthorization"];

    /// <summary>Headers the gateway or HTTP itself owns; a claim forwarded in one of them would clash.</summary>
    private static readonly HashSet<string> ReservedHeaders = new(
        ["authorization", "host", "content-length", "transfer-encoding", "connection", "via", "x-forwarded-for", "x-forwarded-proto", "x-forwarded-host", "x-forwarded-prefix"],
        StringComparer.OrdinalIgnoreCase);

    public static EdgeSettings? ReadAuth(IConfigurationSection section, string path, SettingsReader settings)
    {
        var fields = new Dictionary<string, IConfigurationSection>(StringComparer.Ordinal);
        foreach (var field in section.GetChildren())
        {
            // load_balancer and LoadBalancer name one key in the registry; the first spelling wins here too.
            fields.TryAdd(Normalize(field.Key), field);
        }

        var type = fields.GetValueOrDefault("type")?.Value?.Trim().ToLowerInvariant();
        string[] known;
        switch (type)
        {
            case "jwt":
                known = JwtKeys;
                break;
            case "api_key":
                known = ApiKeyKeys;
                break;
            case null or "":
                settings.Fail($"{path}.Type: missing (expected jwt or api_key)");
                return null;
            default:
                settings.Fail($"{path}.Type", fields["type"].Value, "is not an auth type: expected jwt or api_key");
                return null;
        }

        var errorsBefore = settings.Errors.Count;
        foreach (var (key, field) in fields)
        {
            if (!known.Contains(key))
            {
                settings.Fail($"{path}.{field.Key}: unknown setting for Type {type} (expected {string.Join(", ", known.Skip(1).Select(Spell))})");
            }
        }

        var forwardAuthorization = true;
        if (fields.TryGetValue("forwardauthorization", out var forward))
        {
            if (!bool.TryParse(forward.Value?.Trim(), out forwardAuthorization))
            {
                settings.Fail($"{path}.{forward.Key}", forward.Value, "is not true or false");
            }
        }

        EdgeSettings? result = type == "jwt"
            ? ReadJwt(fields, path, settings) is { } jwt ? new EdgeSettings(null, jwt, forwardAuthorization, null) : null
            : ReadApiKeys(fields, path, settings) is { } apiKeys ? new EdgeSettings(apiKeys, null, forwardAuthorization, null) : null;
        return settings.Errors.Count == errorsBefore ? result : null;
    }

    public static RateLimitSettings? ReadRateLimit(IConfigurationSection section, string path, SettingsReader settings)
    {
        var errorsBefore = settings.Errors.Count;
        double? permits = null;
        int? burst = null;
        var partitionBy = PartitionKey.ClientIp;
        var maxConcurrent = 0;
        foreach (var field in section.GetChildren())
        {
            var fieldPath = $"{path}.{field.Key}";
            switch (Normalize(field.Key))
            {
                case "permitspersecond":
                    permits = settings.ParseNumber(fieldPath, field.Value, 0, 1_000_000, exclusiveMinimum: true, "a number");
                    break;
                case "burst":
                    burst = (int?)settings.ParseWholeNumber(fieldPath, field.Value, 1, 1_000_000);
                    break;
                case "partitionby":
                    if (!PartitionKey.TryParse(field.Value, out partitionBy))
                    {
                        settings.Fail(fieldPath, field.Value, "is not a partition: expected client_ip, api_key, claim:<name> or header:<name>");
                    }

                    break;
                case "maxconcurrent":
                    maxConcurrent = (int?)settings.ParseWholeNumber(fieldPath, field.Value, 0, 1_000_000) ?? 0;
                    break;
                default:
                    settings.Fail($"{fieldPath}: unknown setting (expected PermitsPerSecond, Burst, PartitionBy or MaxConcurrent)");
                    break;
            }
        }

        if (permits is null && settings.Errors.Count == errorsBefore)
        {
            settings.Fail($"{path}.PermitsPerSecond: missing");
        }

        return settings.Errors.Count == errorsBefore
            ? new RateLimitSettings(permits!.Value, burst ?? (int)Math.Max(1, Math.Ceiling(permits.Value)), partitionBy, maxConcurrent)
            : null;
    }

    /// <summary>Combines the two sections, refusing a partition the service's auth cannot supply.</summary>
    /// <param name="rateLimitPath">Where the rate limit was read from, to name it in a problem.</param>
    public static EdgeSettings? Combine(EdgeSettings? auth, RateLimitSettings? rateLimit, string rateLimitPath, SettingsReader settings)
    {
        if (rateLimit?.PartitionBy.Kind == PartitionKind.ApiKey && auth?.ApiKey is null)
        {
            settings.Fail($"{rateLimitPath}.PartitionBy", "api_key", "needs Auth.Type api_key");
            return null;
        }

        if (rateLimit?.PartitionBy.Kind == PartitionKind.Claim && auth?.Jwt is null)
        {
            settings.Fail($"{rateLimitPath}.PartitionBy", rateLimit.PartitionBy.ToString(), "needs Auth.Type jwt");
            return null;
        }

        return auth is null && rateLimit is null ? null : (auth ?? new EdgeSettings(null, null, true, null)) with { RateLimit = rateLimit };
    }

    private static ApiKeySettings? ReadApiKeys(Dictionary<string, IConfigurationSection> fields, string path, SettingsReader settings)
    {
        var header = ApiKeySettings.DefaultHeader;
        if (fields.TryGetValue("header", out var headerField))
        {
            header = headerField.Value?.Trim() ?? "";
            if (!IsHeaderName(header) || ReservedHeaders.Contains(header))
            {
                settings.Fail($"{path}.{headerField.Key}", headerField.Value, "is not a header name the gateway can read keys from");
            }
        }

        var keys = new List<ApiKeyEntry>();
        var names = new HashSet<string>(StringComparer.Ordinal);
        foreach (var item in Items(fields.GetValueOrDefault("keys")))
        {
            var itemPath = $"{path}.Keys[{item.Key}]";
            string? name = null;
            byte[]? hash = null;
            foreach (var field in item.GetChildren())
            {
                switch (Normalize(field.Key))
                {
                    case "name":
                        name = field.Value?.Trim();
                        if (string.IsNullOrEmpty(name) || !IsHeaderValue(name))
                        {
                            settings.Fail($"{itemPath}.Name", field.Value, "is not a name: it must be non-empty printable text");
                            name = null;
                        }
                        else if (!names.Add(name))
                        {
                            settings.Fail($"{itemPath}.Name", name, "appears twice: each key needs its own name");
                        }

                        break;
                    case "sha256":
                        hash = ParseHash(field.Value);
                        if (hash is null)
                        {
                            settings.Fail($"{itemPath}.Sha256: is not 64 hex digits, the SHA-256 of the key (value not shown: it may be the key itself)");
                        }

                        break;
                    default:
                        settings.Fail($"{itemPath}.{field.Key}: unknown setting (expected Name or Sha256)");
                        break;
                }
            }

            if (name is not null && hash is not null)
            {
                keys.Add(new ApiKeyEntry(name, hash));
            }
            else if (!item.GetChildren().Any(field => Normalize(field.Key) is "name" or "sha256"))
            {
                settings.Fail($"{itemPath}: needs a Name and a Sha256");
            }
        }

        if (!Items(fields.GetValueOrDefault("keys")).Any())
        {
            settings.Fail($"{path}.Keys: missing (api_key needs at least one key: {{ \"Name\": ..., \"Sha256\": ... }})");
        }

        return new ApiKeySettings(header, keys);
    }

    private static JwtSettings? ReadJwt(Dictionary<string, IConfigurationSection> fields, string path, SettingsReader settings)
    {
        var issuer = fields.GetValueOrDefault("issuer")?.Value?.Trim();
        if (string.IsNullOrEmpty(issuer))
        {
            settings.Fail($"{path}.Issuer: missing");
        }

        var audiences = Strings(fields.GetValueOrDefault("audiences"));
        if (audiences.Count == 0)
        {
            settings.Fail($"{path}.Audiences: missing (at least one audience)");
        }

        var jwksUrl = fields.GetValueOrDefault("jwksurl")?.Value?.Trim();
        var jwksFile = fields.GetValueOrDefault("jwksfile")?.Value?.Trim();
        if (string.IsNullOrEmpty(jwksUrl) == string.IsNullOrEmpty(jwksFile))
        {
            settings.Fail($"{path}.JwksUrl: {(string.IsNullOrEmpty(jwksUrl) ? "missing" : $"'{jwksUrl}' given together with JwksFile")}: set exactly one of JwksUrl and JwksFile");
        }
        else if (!string.IsNullOrEmpty(jwksUrl)
            && (!Uri.TryCreate(jwksUrl, UriKind.Absolute, out var url) || url.Scheme is not ("http" or "https")))
        {
            settings.Fail($"{path}.JwksUrl", jwksUrl, "is not an absolute http or https URL");
        }
        else if (!string.IsNullOrEmpty(jwksFile) && JwksProblem(jwksFile) is { } problem)
        {
            settings.Fail($"{path}.JwksFile", jwksFile, problem);
        }

        var algorithms = Strings(fields.GetValueOrDefault("algorithms"));
        foreach (var algorithm in algorithms)
        {
            if (!AsymmetricAlgorithms.Contains(algorithm, StringComparer.Ordinal))
            {
                var why = algorithm.Equals("none", StringComparison.OrdinalIgnoreCase)
                    ? "is not allowed: unsigned tokens are never accepted"
                    : algorithm.StartsWith("HS", StringComparison.OrdinalIgnoreCase)
                        ? "is not allowed: HMAC with keys from a JWKS would let anyone holding the public key sign tokens"
                        : $"is not a signature algorithm the gateway accepts: expected some of {string.Join(", ", AsymmetricAlgorithms)}";
                settings.Fail($"{path}.Algorithms", algorithm, why);
            }
        }

        var clockSkew = 30;
        if (fields.TryGetValue("clockskewseconds", out var skewField))
        {
            clockSkew = (int?)settings.ParseWholeNumber($"{path}.{skewField.Key}", skewField.Value, 0, 300) ?? clockSkew;
        }

        var forwardClaims = new List<KeyValuePair<string, string>>();
        if (fields.TryGetValue("forwardclaims", out var claimsField))
        {
            var headers = new HashSet<string>(StringComparer.OrdinalIgnoreCase);
            foreach (var claim in claimsField.GetChildren())
            {
                var header = claim.Value?.Trim() ?? "";
                if (!IsHeaderName(header) || ReservedHeaders.Contains(header) || header.Equals(EdgePolicy.ApiKeyNameHeader, StringComparison.OrdinalIgnoreCase))
                {
                    settings.Fail($"{path}.{claimsField.Key}.{claim.Key}", claim.Value, "is not a header name a claim can be forwarded in");
                }
                else if (!headers.Add(header))
                {
                    settings.Fail($"{path}.{claimsField.Key}.{claim.Key}", claim.Value, "is used for two claims");
                }
                else
                {
                    forwardClaims.Add(new(claim.Key, header));
                }
            }
        }

        return new JwtSettings(
            issuer ?? "",
            audiences,
            string.IsNullOrEmpty(jwksUrl) ? null : jwksUrl,
            string.IsNullOrEmpty(jwksFile) ? null : jwksFile,
            algorithms.Count == 0 ? DefaultAlgorithms : algorithms,
            TimeSpan.FromSeconds(clockSkew),
            Strings(fields.GetValueOrDefault("requiredscopes")),
            forwardClaims);
    }

    /// <summary>Why a JWKS file cannot serve as the signing keys; null when it can.</summary>
    private static string? JwksProblem(string file)
    {
        if (!File.Exists(file))
        {
            return "does not exist";
        }

        try
        {
            var keys = new JsonWebKeySet(File.ReadAllText(file)).GetSigningKeys();
            return keys.Count == 0 ? "holds no RSA or EC signing key" : null;
        }
        catch (Exception error) when (error is ArgumentException or IOException or UnauthorizedAccessException or System.Text.Json.JsonException)
        {
            return "is not a readable JWKS (a JSON object with \"keys\")";
        }
    }

    private static List<string> Strings(IConfigurationSection? section)
    {
        if (section is null)
        {
            return [];
        }

        if (section.Value is { } single)
        {
            return single.Trim() is { Length: > 0 } value ? [value] : [];
        }

        return Items(section).Select(item => item.Value?.Trim()).OfType<string>().Where(value => value.Length > 0).ToList();
    }

    private static IEnumerable<IConfigurationSection> Items(IConfigurationSection? section) =>
        section is null ? [] : section.GetChildren().OrderBy(child => int.TryParse(child.Key, out var i) ? i : int.MaxValue);

    private static byte[]? ParseHash(string? hex)
    {
        var text = hex?.Trim();
        if (text is not { Length: 64 })
        {
            return null;
        }

        try
        {
            return Convert.FromHexString(text);
        }
        catch (FormatException)
        {
            return null;
        }
    }

    // RFC 9110 §5.6.2 token characters.
    internal static bool IsHeaderName(string name) =>
        name.Length > 0 && name.All(c => char.IsAsciiLetterOrDigit(c) || "!#$%&'*+-.^_`|~".Contains(c));

    private static bool IsHeaderValue(string value) => value.All(c => c is >= ' ' and <= '~');

    internal static string Normalize(string key) => key.Replace("_", "", StringComparison.Ordinal).ToLowerInvariant();

    private static string Spell(string key) => key switch
    {
        "issuer" => "Issuer",
        "audiences" => "Audiences",
        "jwksurl" => "JwksUrl",
        "jwksfile" => "JwksFile",
        "algorithms" => "Algorithms",
        "clockskewseconds" => "ClockSkewSeconds",
        "requiredscopes" => "RequiredScopes",
        "forwardclaims" => "ForwardClaims",
        "forwardauthorization" => "ForwardAuthorization",
        "header" => "Header",
        "keys" => "Keys",
        _ => key,
    };
}
