using Gateway.Domain;

namespace Gateway.Application.Registration;

/// <summary>The services configured at start-up; the admin API may drain their instances but not remove them.</summary>
public sealed record StaticServices(IReadOnlyList<ServiceDefinition> Definitions);
