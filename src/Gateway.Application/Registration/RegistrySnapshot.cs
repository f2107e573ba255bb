namespace Gateway.Application.Registration;

/// <summary>Everything registered at run time, as of one moment of the store.</summary>
/// <param name="Draining">Instances being drained, as <c>service/id</c> keys (see <see cref="DrainKey"/>).</param>
public sealed record RegistrySnapshot(
    IReadOnlyList<InstanceRegistration> Instances,
    IReadOnlyDictionary<string, ServiceSettings> Settings,
    IReadOnlySet<string> Draining)
{
    public static readonly RegistrySnapshot Empty = new(
        [],
        new Dictionary<string, ServiceSettings>(StringComparer.OrdinalIgnoreCase),
        new HashSet<string>(StringComparer.OrdinalIgnoreCase));

    public static string DrainKey(string service, string instanceId) => $"{service}/{instanceId}";
}
