using Gateway.Domain;

namespace Gateway.Application.Registration;

/// <summary>
/// The services the configuration defines; the admin API may drain their instances but not remove them. A reload of
/// the configuration replaces them whole.
/// </summary>
public sealed class StaticServices(IReadOnlyList<ServiceDefinition> definitions)
{
    private volatile Configured _current = new(definitions);

    public IReadOnlyList<ServiceDefinition> Definitions => _current.Definitions;

    public ServiceDefinition? Find(string service) => _current.ByName.GetValueOrDefault(service);

    public bool Contains(string service) => _current.ByName.ContainsKey(service);

    public void Replace(IReadOnlyList<ServiceDefinition> definitions) => _current = new(definitions);

    /// <summary>One configuration's services; readers see one whole or the next, never a mix.</summary>
    private sealed class Configured
    {
        public Configured(IReadOnlyList<ServiceDefinition> definitions)
        {
            ArgumentNullException.ThrowIfNull(definitions);
            Definitions = definitions;
            // Looked up on every registration: a scan would cost as many comparisons as there are configured services.
            ByName = new Dictionary<string, ServiceDefinition>(ServiceName.Comparer);
            foreach (var definition in definitions)
            {
                ByName.TryAdd(definition.Name, definition);
            }
        }

        public IReadOnlyList<ServiceDefinition> Definitions { get; }

        public Dictionary<string, ServiceDefinition> ByName { get; }
    }
}
