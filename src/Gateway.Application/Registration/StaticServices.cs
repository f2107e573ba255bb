using Gateway.Domain;

namespace Gateway.Application.Registration;

/// <summary>The services configured at start-up; the admin API may drain their instances but not remove them.</summary>
public sealed record StaticServices(IReadOnlyList<ServiceDefinition> Definitions)
{
    // Looked up on every registration: a scan would cost as many comparisons as there are configured services.
    private readonly Dictionary<string, ServiceDefinition> _byName = ByName(Definitions);

    public ServiceDefinition? Find(string service) => _byName.GetValueOrDefault(service);

    public bool Contains(string service) => _byName.ContainsKey(service);

    private static Dictionary<string, ServiceDefinition> ByName(IReadOnlyList<ServiceDefinition> definitions)
    {
        ArgumentNullException.ThrowIfNull(definitions);
        var byName = new Dictionary<string, ServiceDefinition>(ServiceName.Comparer);
        foreach (var definition in definitions)
        {
            byName.TryAdd(definition.Name, definition);
        }

        return byName;
    }
}
