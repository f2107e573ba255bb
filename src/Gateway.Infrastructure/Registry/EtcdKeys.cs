namespace Gateway.Infrastructure.Registry;

/// <summary>What a key under the fleet's prefix holds.</summary>
internal enum EtcdKeyKind
{
    /// <summary>Outside the prefix, or not in any section the store writes.</summary>
    Unknown,

    /// <summary><c>instances/{service}/{host:port}</c>: a registration as JSON.</summary>
    Instance,

    /// <summary><c>draining/{service}/{host:port}</c>: a drain mark.</summary>
    Drain,

    /// <summary><c>settings/{service}</c>: a dynamic service's settings as JSON.</summary>
    Settings,

    /// <summary>
    /// <c>removed/{service}/{host:port}</c>: written with the deletion of a leased instance that was removed on purpose,
    /// on the instance's lease, so that a deletion without it reads as the lease running out.
    /// </summary>
    Removal,

    /// <summary><c>overrides/{service}/{host:port}</c>: an operator's override as JSON, on a lease of its length when timed.</summary>
    Override,

    /// <summary><c>splits/{service}</c>: a service's split across versions set at run time, as a JSON object of weights.</summary>
    Split,
}

/// <summary>A key under the fleet's prefix, read back: its kind, the service it names and, but for settings, the instance.</summary>
internal readonly record struct EtcdKey(EtcdKeyKind Kind, string Service, string InstanceId);

/// <summary>The layout of the fleet's keys under its prefix, written and read in this one place.</summary>
/// <remarks>
/// <c>instances/{service}/{host:port}</c> holds the registration, attached to a lease of its TTL when it has one, so
/// that etcd itself removes an instance that stops heartbeating; <c>draining/{service}/{host:port}</c> marks a drain
/// and shares the instance's lease, so it goes with it; <c>settings/{service}</c> holds a dynamic service's settings;
/// <c>removed/{service}/{host:port}</c> tells a removal from an expiry for as long as the instance's lease lasts;
/// <c>overrides/{service}/{host:port}</c> holds an operator's override, on a lease of its length when it is timed;
/// <c>splits/{service}</c> holds a service's split across versions set at run time.
/// </remarks>
internal sealed class EtcdKeys
{
    private const string InstancesSection = "instances/";
    private const string DrainingSection = "draining/";
    private const string SettingsSection = "settings/";
    private const string RemovedSection = "removed/";
    private const string OverridesSection = "overrides/";
    private const string SplitsSection = "splits/";

    public EtcdKeys(string prefix)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(prefix);
        if (!prefix.EndsWith('/'))
        {
            throw new ArgumentException($"The etcd prefix '{prefix}' must end with '/'.", nameof(prefix));
        }

        Prefix = prefix;
    }

    /// <summary>The fleet's prefix; every key the store reads or writes starts with it.</summary>
    public string Prefix { get; }

    /// <summary>The prefix of every registration.</summary>
    public string Instances => Prefix + InstancesSection;

    public string Instance(string service, string instanceId) => Prefix + InstancesSection + service + "/" + instanceId;

    public string Drain(string service, string instanceId) => Prefix + DrainingSection + service + "/" + instanceId;

    /// <summary>The drain mark's key for an instance's key, in the same spelling.</summary>
    public string DrainOf(string instanceKey) => Prefix + DrainingSection + instanceKey[(Prefix.Length + InstancesSection.Length)..];

    /// <summary>The removal marker's key for an instance's key, in the same spelling.</summary>
    public string RemovalOf(string instanceKey) => Prefix + RemovedSection + instanceKey[(Prefix.Length + InstancesSection.Length)..];

    public string Override(string service, string instanceId) => Prefix + OverridesSection + service + "/" + instanceId;

    public string Settings(string service) => Prefix + SettingsSection + service;

    public string Split(string service) => Prefix + SplitsSection + service;

    public EtcdKey Parse(string key)
    {
        if (!key.StartsWith(Prefix, StringComparison.Ordinal))
        {
            return default;
        }

        var path = key.AsSpan(Prefix.Length);
        if (path.StartsWith(InstancesSection, StringComparison.Ordinal))
        {
            return ServiceAndId(EtcdKeyKind.Instance, path[InstancesSection.Length..]);
        }

        if (path.StartsWith(DrainingSection, StringComparison.Ordinal))
        {
            return ServiceAndId(EtcdKeyKind.Drain, path[DrainingSection.Length..]);
        }

        if (path.StartsWith(OverridesSection, StringComparison.Ordinal))
        {
            return ServiceAndId(EtcdKeyKind.Override, path[OverridesSection.Length..]);
        }

        if (path.StartsWith(RemovedSection, StringComparison.Ordinal))
        {
            return ServiceAndId(EtcdKeyKind.Removal, path[RemovedSection.Length..]);
        }

        if (path.StartsWith(SettingsSection, StringComparison.Ordinal)
            && path[SettingsSection.Length..] is { Length: > 0 } service && !service.Contains('/'))
        {
            return new EtcdKey(EtcdKeyKind.Settings, service.ToString(), "");
        }

        if (path.StartsWith(SplitsSection, StringComparison.Ordinal)
            && path[SplitsSection.Length..] is { Length: > 0 } split && !split.Contains('/'))
        {
            return new EtcdKey(EtcdKeyKind.Split, split.ToString(), "");
        }

        return default;
    }

    private static EtcdKey ServiceAndId(EtcdKeyKind kind, ReadOnlySpan<char> rest)
    {
        var slash = rest.IndexOf('/');
        return slash > 0 && slash < rest.Length - 1 && rest[(slash + 1)..].IndexOf('/') < 0
            ? new EtcdKey(kind, rest[..slash].ToString(), rest[(slash + 1)..].ToString())
            : default;
    }
}
