namespace Gateway.Application.Edge;

/// <summary>A service's edge policies as configured: at most one kind of authentication, and a rate limit.</summary>
/// <param name="ForwardAuthorization">Whether the client's <c>Authorization</c> header reaches the instance.</param>
public sealed record EdgeSettings(ApiKeySettings? ApiKey, JwtSettings? Jwt, bool ForwardAuthorization, RateLimitSettings? RateLimit)
{
    /// <summary><c>jwt</c>, <c>api_key</c> or null: safe to show, unlike the keys.</summary>
    public string? AuthType => Jwt is not null ? "jwt" : ApiKey is not null ? "api_key" : null;

    /// <summary>Whether two settings ask for the same policy, list by list and key hash by key hash.</summary>
    public static bool Same(EdgeSettings a, EdgeSettings b)
    {
        ArgumentNullException.ThrowIfNull(a);
        ArgumentNullException.ThrowIfNull(b);
        return a.ForwardAuthorization == b.ForwardAuthorization && a.RateLimit == b.RateLimit && Same(a.ApiKey, b.ApiKey) && Same(a.Jwt, b.Jwt);
    }

    private static bool Same(ApiKeySettings? a, ApiKeySettings? b) => a is null || b is null
        ? a is null && b is null
        : a.Header == b.Header && a.Keys.Count == b.Keys.Count
            && a.Keys.Zip(b.Keys).All(pair => pair.First.Name == pair.Second.Name && pair.First.Sha256.AsSpan().SequenceEqual(pair.Second.Sha256));

    private static bool Same(JwtSettings? a, JwtSettings? b) => a is null || b is null
        ? a is null && b is null
        : a.Issuer == b.Issuer && a.JwksUrl == b.JwksUrl && a.JwksFile == b.JwksFile && a.ClockSkew == b.ClockSkew
            && a.Audiences.SequenceEqual(b.Audiences) && a.Algorithms.SequenceEqual(b.Algorithms)
            && a.RequiredScopes.SequenceEqual(b.RequiredScopes) && a.ForwardClaims.SequenceEqual(b.ForwardClaims);
}
