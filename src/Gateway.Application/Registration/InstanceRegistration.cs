namespace Gateway.Application.Registration;

/// <summary>An instance registered at run time: where it listens, and how long it lives without a heartbeat.</summary>
/// <param name="TtlSeconds">Lease length; null for a registration that lives until it is removed.</param>
public sealed record InstanceRegistration(string Service, string Host, int Port, int Weight, string Scheme, int? TtlSeconds)
{
    /// <summary>The version the instance runs, or null.</summary>
    public string? Version { get; init; }

    /// <summary>Free-form labels, or null for none.</summary>
    public IReadOnlyDictionary<string, string>? Metadata { get; init; }

    /// <summary><c>host:port</c>, the instance's id within its service, as in the registry.</summary>
    public string Id => $"{Host}:{Port}";
}
