namespace Gateway.Application.Edge;

/// <summary>What validating a bearer token found.</summary>
/// <param name="Error">Why the token was refused, fit for a client to read: never the token or a key.</param>
/// <param name="Scopes">The values of the token's <c>scope</c> and <c>scp</c> claims, as written.</param>
/// <param name="Claims">The values of the claims asked for, in the order asked; null where a claim is absent.</param>
public sealed record JwtValidation(bool IsValid, string? Error, IReadOnlyList<string> Scopes, IReadOnlyList<string?> Claims)
{
    public static JwtValidation Invalid(string error) => new(false, error, [], []);
}
