using Gateway.Application.Edge;
using Gateway.Application.Shaping;
using Gateway.Domain;

namespace Gateway.Infrastructure.Configuration;

/// <summary>The services configured at start-up, from <c>Gateway:Services</c> or <c>GATEWAY_REGISTRY_FILE</c>.</summary>
public sealed class RegistryOptions
{
    public const string SectionPath = "Gateway:Services";
    public const string FileKey = "GATEWAY_REGISTRY_FILE";

    public IReadOnlyList<ServiceDefinition> Services { get; set; } = [];

    /// <summary>The <c>Auth</c> and <c>RateLimit</c> of the services that set either, by service name.</summary>
    public IReadOnlyDictionary<string, EdgeSettings> Edge { get; set; } = new Dictionary<string, EdgeSettings>();

    /// <summary>The <c>Affinity</c> and <c>Transforms</c> of the services that set either, by service name.</summary>
    public IReadOnlyDictionary<string, ShapingSettings> Shaping { get; set; } = new Dictionary<string, ShapingSettings>();
}
