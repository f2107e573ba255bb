namespace Gateway.Application.Edge;

/// <summary>Validates bearer tokens for one service: signature, issuer, audience, lifetime and algorithm.</summary>
public interface IJwtValidator
{
    ValueTask<JwtValidation> ValidateAsync(string token, CancellationToken cancellationToken);
}
