using Gateway.Application.Edge;
using Microsoft.Extensions.Logging;

namespace Gateway.Infrastructure.Edge;

internal sealed class JwtValidatorFactory(IHttpClientFactory clients, TimeProvider time, ILogger<JwksKeySource> logger) : IJwtValidatorFactory
{
    public const string ClientName = "jwks";

    public IJwtValidator Create(string service, JwtSettings settings, IReadOnlyList<string> claims)
    {
        ArgumentNullException.ThrowIfNull(settings);
        var keys = settings.JwksFile is { } file
            ? JwksKeySource.FromFile(file, time, logger)
            : new JwksKeySource(new Uri(settings.JwksUrl!), clients.CreateClient(ClientName), time, logger);
        return new JwtTokenValidator(settings, claims, keys, time);
    }
}
