namespace Gateway.Application.Edge;

/// <summary><c>Auth.Type: jwt</c>: what a bearer token must satisfy, and what of it is passed on.</summary>
/// <param name="JwksUrl">Where the signing keys are fetched; null when <paramref name="JwksFile"/> holds them.</param>
/// <param name="Algorithms">The only signature algorithms accepted: asymmetric ones, never <c>none</c> or HMAC.</param>
/// <param name="ForwardClaims">Claim name to the request header its value is forwarded in.</param>
public sealed record JwtSettings(
    string Issuer,
    IReadOnlyList<string> Audiences,
    string? JwksUrl,
    string? JwksFile,
    IReadOnlyList<string> Algorithms,
    TimeSpan ClockSkew,
    IReadOnlyList<string> RequiredScopes,
    IReadOnlyList<KeyValuePair<string, string>> ForwardClaims);
