using Gateway.Domain;

namespace Gateway.Application.Registration;

/// <summary>Everything registered at run time, as of one moment of the store.</summary>
public sealed record RegistrySnapshot
{
    // Before Empty: static fields start in the order they are written, and Empty's construction reads this one.
    private static readonly IReadOnlyDictionary<string, IReadOnlyDictionary<string, int>> NoSplits =
        new Dictionary<string, IReadOnlyDictionary<string, int>>(StringComparer.OrdinalIgnoreCase);

    public static readonly RegistrySnapshot Empty = new(
        [],
        new Dictionary<string, ServiceSettings>(StringComparer.OrdinalIgnoreCase),
        new HashSet<string>(StringComparer.OrdinalIgnoreCase));

    private IReadOnlyList<InstanceRegistration>? _instances;

    /// <summary>A snapshot of a whole load: every service counts as changed.</summary>
    /// <param name="draining">Instances being drained, as <c>service/id</c> keys (see <see cref="DrainKey"/>).</param>
    public RegistrySnapshot(
        IReadOnlyList<InstanceRegistration> instances,
        IReadOnlyDictionary<string, ServiceSettings> settings,
        IReadOnlySet<string> draining)
        : this(ByService(instances), settings, draining, changed: null)
    {
        _instances = instances;
    }

    /// <param name="services">Each service's registrations, by service name (case-insensitive).</param>
    /// <param name="changed">The services that differ from the store's previous snapshot; null for all of them.</param>
    public RegistrySnapshot(
        IReadOnlyDictionary<string, IReadOnlyList<InstanceRegistration>> services,
        IReadOnlyDictionary<string, ServiceSettings> settings,
        IReadOnlySet<string> draining,
        IReadOnlySet<string>? changed)
    {
        Services = services;
        Settings = settings;
        Draining = draining;
        Changed = changed;
    }

    public IReadOnlyDictionary<string, IReadOnlyList<InstanceRegistration>> Services { get; }

    /// <summary>Every registration, service after service.</summary>
    public IReadOnlyList<InstanceRegistration> Instances => _instances ??= [.. Services.Values.SelectMany(instances => instances)];

    public IReadOnlyDictionary<string, ServiceSettings> Settings { get; init; }

    /// <summary>The splits set at run time, by service name (case-insensitive): each version's weight.</summary>
    public IReadOnlyDictionary<string, IReadOnlyDictionary<string, int>> Splits { get; init; } = NoSplits;

    /// <summary>Instances being drained, as <c>service/id</c> keys (see <see cref="DrainKey"/>).</summary>
    public IReadOnlySet<string> Draining { get; init; }

    /// <summary>
    /// The services whose registrations, settings or drain marks may differ from the store's previous snapshot, so
    /// that applying a change costs the changed services only; null when any may (a load, a reconnection).
    /// </summary>
    public IReadOnlySet<string>? Changed { get; init; }

    /// <summary>The registrations that left since the store's previous snapshot because their lease ran out.</summary>
    public IReadOnlyList<LeaseExpiry> Expired { get; init; } = [];

    /// <summary>Operators' overrides, as <c>service/id</c> keys (see <see cref="DrainKey"/>), shared by every replica.</summary>
    public IReadOnlyDictionary<string, InstanceOverride> Overrides { get; init; } =
        new Dictionary<string, InstanceOverride>(StringComparer.OrdinalIgnoreCase);

    public static string DrainKey(string service, string instanceId) => $"{service}/{instanceId}";

    private static Dictionary<string, IReadOnlyList<InstanceRegistration>> ByService(IReadOnlyList<InstanceRegistration> instances)
    {
        ArgumentNullException.ThrowIfNull(instances);
        var services = new Dictionary<string, List<InstanceRegistration>>(StringComparer.OrdinalIgnoreCase);
        foreach (var registration in instances)
        {
            if (!services.TryGetValue(registration.Service, out var list))
            {
                services[registration.Service] = list = [];
            }

            list.Add(registration);
        }

        return services.ToDictionary(entry => entry.Key, IReadOnlyList<InstanceRegistration> (entry) => entry.Value, StringComparer.OrdinalIgnoreCase);
    }
}
