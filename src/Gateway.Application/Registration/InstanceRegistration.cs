namespace Gateway.Application.Registration;

/// <summary>An instance registered at run time: where it listens, and how long it lives without a heartbeat.</summary>
/// <param name="TtlSeconds">Lease length; null for a registration that lives until it is removed.</param>
public sealed record InstanceRegistration(string Service, string Host, int Port, int Weight, string Scheme, int? TtlSeconds)
{
    /// <summary><c>host:port</c>, the instance's id within its service, as in the registry.</summary>
    public string Id => $"{Host}:{Port}";
}
