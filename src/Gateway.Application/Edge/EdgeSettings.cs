namespace Gateway.Application.Edge;

/// <summary>A service's edge policies as configured: at most one kind of authentication, and a rate limit.</summary>
/// <param name="ForwardAuthorization">Whether the client's <c>Authorization</c> header reaches the instance.</param>
public sealed record EdgeSettings(ApiKeySettings? ApiKey, JwtSettings? Jwt, bool ForwardAuthorization, RateLimitSettings? RateLimit)
{
    /// <summary><c>jwt</c>, <c>api_key</c> or null: safe to show, unlike the keys.</summary>
    public string? AuthType => Jwt is not null ? "jwt" : ApiKey is not null ? "api_key" : null;
}
