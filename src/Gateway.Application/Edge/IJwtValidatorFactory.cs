namespace Gateway.Application.Edge;

/// <summary>Makes the <see cref="IJwtValidator"/> of a service from its settings.</summary>
public interface IJwtValidatorFactory
{
    /// <param name="claims">The claims whose values <see cref="JwtValidation.Claims"/> must carry, in this order.</param>
    IJwtValidator Create(string service, JwtSettings settings, IReadOnlyList<string> claims);
}
