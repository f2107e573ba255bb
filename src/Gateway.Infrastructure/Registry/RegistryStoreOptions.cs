using Gateway.Infrastructure.Configuration;
using Microsoft.Extensions.Configuration;

namespace Gateway.Infrastructure.Registry;

/// <summary>Where run-time registrations live: <c>REGISTRY_STORE</c>, <c>ETCD_ENDPOINTS</c>, <c>ETCD_PREFIX</c>.</summary>
public sealed class RegistryStoreOptions
{
    public const string StoreKey = "REGISTRY_STORE";
    public const string EndpointsKey = "ETCD_ENDPOINTS";
    public const string PrefixKey = "ETCD_PREFIX";

    public RegistryStoreKind Kind { get; set; } = RegistryStoreKind.Memory;

    public string EtcdEndpoints { get; set; } = "http://127.0.0.1:2379";

    /// <summary>The prefix as configured.</summary>
    public string EtcdPrefix { get; set; } = "/msa-gateway/";

    /// <summary>The prefix the fleet's keys start with: <see cref="EtcdPrefix"/>, ending with <c>/</c>.</summary>
    public string EtcdKeyPrefix => EtcdPrefix.EndsWith('/') ? EtcdPrefix : EtcdPrefix + "/";

    internal static void Bind(RegistryStoreOptions options, IConfiguration configuration)
    {
        var settings = new SettingsReader(configuration);
        options.Kind = settings.Choice(
            StoreKey,
            options.Kind,
            value => Enum.TryParse<RegistryStoreKind>(value, ignoreCase: true, out var kind) && Enum.IsDefined(kind) ? kind : null,
            "memory, etcd");
        options.EtcdEndpoints = settings.Text(EndpointsKey) ?? options.EtcdEndpoints;
        options.EtcdPrefix = settings.Text(PrefixKey) ?? options.EtcdPrefix;
        settings.RecordOn(options);
    }
}

public enum RegistryStoreKind
{
    Memory,
    Etcd,
}
