using System.Collections.Frozen;
using System.Globalization;
using System.Threading.RateLimiting;
using Gateway.Application.Forwarding;
using Microsoft.Extensions.Primitives;

namespace Gateway.Application.Edge;

/// <summary>One service's authentication and rate limit, checked before an instance is chosen.</summary>
public sealed class EdgePolicy : IDisposable
{
    public const string ApiKeyNameHeader = "X-Api-Key-Name";
    private const string ForwardedForHeader = "X-Forwarded-For";
    private const string AuthorizationHeader = "Authorization";

    private readonly string _service;
    private readonly EdgeSettings _settings;
    private readonly TrustedProxies _proxies;
    private readonly ApiKeyAuthenticator? _apiKeys;
    private readonly IJwtValidator? _jwt;
    private readonly string[] _claims;
    private readonly FrozenSet<string>? _removed;
    private readonly RateLimitPartitions? _partitions;
    private readonly ConcurrencyLimiter? _concurrency;
    private readonly string? _rateLimitPolicy;
    private readonly string _realm;
    private readonly string _challenge;

    /// <param name="previous">The policy this one replaces: with the same rate limit, its buckets and requests in flight
    /// carry over, so changing a service's authentication does not hand every client a fresh burst.</param>
    public EdgePolicy(
        string service, EdgeSettings settings, IJwtValidatorFactory? jwtValidators, TrustedProxies proxies, TimeProvider time, EdgePolicy? previous = null)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(service);
        ArgumentNullException.ThrowIfNull(settings);
        ArgumentNullException.ThrowIfNull(proxies);
        ArgumentNullException.ThrowIfNull(time);
        _service = service;
        _settings = settings;
        _proxies = proxies;
        _realm = $"realm=\"{service}\"";
        _challenge = settings.ApiKey is { } keys ? $"ApiKey {_realm}, header=\"{keys.Header}\"" : $"Bearer {_realm}";

        var removed = new List<string>();
        if (settings.ApiKey is { } apiKey)
        {
            _apiKeys = new ApiKeyAuthenticator(apiKey.Keys);
            // The instance learns which key was used from its name; the key itself stays at the edge.
            removed.Add(apiKey.Header);
        }

        if (settings.Jwt is { } jwt)
        {
            ArgumentNullException.ThrowIfNull(jwtValidators);
            var claims = jwt.ForwardClaims.Select(claim => claim.Key).ToList();
            if (settings.RateLimit?.PartitionBy is { Kind: PartitionKind.Claim, Name: { } claimName })
            {
                claims.Add(claimName);
            }

            _claims = [.. claims];
            _jwt = jwtValidators.Create(service, jwt, _claims);
            removed.AddRange(jwt.ForwardClaims.Select(claim => claim.Value));
        }
        else
        {
            _claims = [];
        }

        if (settings.AuthType is not null)
        {
            removed.Add(ApiKeyNameHeader);
            if (!settings.ForwardAuthorization)
            {
                removed.Add(AuthorizationHeader);
            }

            _removed = removed.ToFrozenSet(StringComparer.OrdinalIgnoreCase);
        }

        if (settings.RateLimit is not null && previous is not null && previous._settings.RateLimit == settings.RateLimit)
        {
            _partitions = previous._partitions;
            _concurrency = previous._concurrency;
            _rateLimitPolicy = previous._rateLimitPolicy;
        }
        else if (settings.RateLimit is { } limit)
        {
            _partitions = new RateLimitPartitions(limit.PermitsPerSecond, limit.Burst, time);
            var window = (int)Math.Max(1, Math.Ceiling(limit.Burst / limit.PermitsPerSecond));
            _rateLimitPolicy = string.Create(CultureInfo.InvariantCulture, $"\"default\";q={limit.Burst};w={window}");
            if (limit.MaxConcurrent > 0)
            {
                _concurrency = new ConcurrencyLimiter(new ConcurrencyLimiterOptions { PermitLimit = limit.MaxConcurrent, QueueLimit = 0 });
            }
        }
    }

    public string Service => _service;

    public EdgeSettings Settings => _settings;

    /// <summary>Partitions the rate limit keeps a bucket for; 0 without a rate limit.</summary>
    public int PartitionCount => _partitions?.Count ?? 0;

    public async ValueTask<EdgeAdmission> AdmitAsync(ForwardRequestCommand request, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        string? apiKeyName = null;
        JwtValidation? token = null;
        if (_apiKeys is not null)
        {
            var header = _settings.ApiKey!.Header;
            var presented = EdgeRequestHeaders.Find(request.Headers, header);
            if (presented.Count == 0)
            {
                return EdgeAdmission.Unauthenticated("missing_credentials", $"The request has no {header} header.", _challenge);
            }

            apiKeyName = presented.Count == 1 ? _apiKeys.Authenticate(presented[0] ?? "") : null;
            if (apiKeyName is null)
            {
                return EdgeAdmission.Unauthenticated("invalid_credentials", $"The {header} header holds no valid key.", _challenge);
            }
        }
        else if (_jwt is not null)
        {
            if (BearerToken(EdgeRequestHeaders.Find(request.Headers, AuthorizationHeader)) is not { } bearer)
            {
                return EdgeAdmission.Unauthenticated("missing_credentials", "The request has no bearer token.", _challenge);
            }

            token = await _jwt.ValidateAsync(bearer, cancellationToken);
            if (!token.IsValid)
            {
                var error = token.Error ?? "The token is not valid.";
                return EdgeAdmission.Unauthenticated(
                    "invalid_credentials", error, $"Bearer {_realm}, error=\"invalid_token\", error_description=\"{Quoted(error)}\"");
            }

            var required = _settings.Jwt!.RequiredScopes;
            if (required.Count > 0 && !Scopes.GrantsAll(token.Scopes, required))
            {
                var scope = string.Join(' ', required);
                return EdgeAdmission.Forbidden(
                    $"The token lacks a required scope ({scope}).",
                    $"Bearer {_realm}, error=\"insufficient_scope\", scope=\"{Quoted(scope)}\"");
            }
        }

        string? rateLimit = null;
        RateLimitLease? lease = null;
        if (_partitions is not null)
        {
            var decision = _partitions.Acquire(PartitionOf(request, apiKeyName, token));
            rateLimit = string.Create(CultureInfo.InvariantCulture, $"\"default\";r={decision.Remaining};t={decision.ResetSeconds}");
            if (!decision.Allowed)
            {
                return EdgeAdmission.Limited(
                    "rate_limited", $"Service '{_service}' allows {_settings.RateLimit!.PermitsPerSecond} requests per second per {_settings.RateLimit.PartitionBy}.",
                    decision.RetryAfterSeconds, _rateLimitPolicy, rateLimit, apiKeyName);
            }

            if (_concurrency is not null)
            {
                lease = _concurrency.AttemptAcquire();
                if (!lease.IsAcquired)
                {
                    lease.Dispose();
                    return EdgeAdmission.Limited(
                        "concurrency_limited", $"Service '{_service}' has {_settings.RateLimit!.MaxConcurrent} requests in flight already.",
                        1, _rateLimitPolicy, rateLimit, apiKeyName);
                }
            }
        }

        var forwarded = _removed is null ? request : request with { Headers = new EdgeRequestHeaders(request.Headers, _removed, Added(apiKeyName, token)) };
        return EdgeAdmission.Admit(forwarded, apiKeyName, _rateLimitPolicy, rateLimit, lease);
    }

    public void Dispose() => _concurrency?.Dispose();

    private KeyValuePair<string, StringValues>[] Added(string? apiKeyName, JwtValidation? token)
    {
        if (apiKeyName is not null)
        {
            return [new(ApiKeyNameHeader, apiKeyName)];
        }

        if (token is null || _settings.Jwt!.ForwardClaims.Count == 0)
        {
            return [];
        }

        var added = new List<KeyValuePair<string, StringValues>>(_settings.Jwt.ForwardClaims.Count);
        for (var i = 0; i < _settings.Jwt.ForwardClaims.Count; i++)
        {
            if (i < token.Claims.Count && token.Claims[i] is { } value)
            {
                added.Add(new(_settings.Jwt.ForwardClaims[i].Value, value));
            }
        }

        return [.. added];
    }

    private string PartitionOf(ForwardRequestCommand request, string? apiKeyName, JwtValidation? token)
    {
        var by = _settings.RateLimit!.PartitionBy;
        return by.Kind switch
        {
            PartitionKind.ApiKey => apiKeyName ?? "",
            PartitionKind.Claim => token?.Claims.Count == _claims.Length && _claims.Length > 0 ? token.Claims[^1] ?? "" : "",
            PartitionKind.Header => EdgeRequestHeaders.Find(request.Headers, by.Name!).ToString(),
            _ => _proxies.ClientAddress(request.Client.Address, _proxies.Networks.Count == 0
                ? StringValues.Empty
                : EdgeRequestHeaders.Find(request.Headers, ForwardedForHeader)) ?? "",
        };
    }

    private static string? BearerToken(StringValues authorization)
    {
        if (authorization.Count != 1 || authorization[0] is not { } value)
        {
            return null;
        }

        const string Scheme = "Bearer ";
        return value.Length > Scheme.Length && value.StartsWith(Scheme, StringComparison.OrdinalIgnoreCase)
            ? value[Scheme.Length..].Trim()
            : null;
    }

    // A quoted-string may not hold a bare quote or backslash (RFC 9110 §5.6.4).
    private static string Quoted(string text) => text.Replace("\\", "", StringComparison.Ordinal).Replace("\"", "'", StringComparison.Ordinal);
}
