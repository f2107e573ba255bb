using System.Text.Json;

namespace Gateway.Application.Registration;

/// <summary>The settings of a dynamic service; null keeps the default.</summary>
/// <remarks>
/// <see cref="Auth"/> and <see cref="RateLimit"/> travel as the registry's own <c>Auth</c> and <c>RateLimit</c>
/// objects, so every replica reads them with the rules a configured service's are read with.
/// </remarks>
public sealed record ServiceSettings(string? LoadBalancer, string? HealthCheckPath)
{
    public JsonElement? Auth { get; init; }

    public JsonElement? RateLimit { get; init; }

    public bool HasEdgePolicies => Auth is not null || RateLimit is not null;
}
