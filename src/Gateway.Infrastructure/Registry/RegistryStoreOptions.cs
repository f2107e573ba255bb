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

    public string EtcdPrefix { get; set; } = "/msa-gateway/";

    internal static void Bind(RegistryStoreOptions options, IConfiguration configuration)
    {
        var settings = new SettingsReader(configuration);
        options.Kind = settings.Choice(
            StoreKey,
            options.Kind,
            value => Enum.TryParse<RegistryStoreKind>(value, ignoreCase: true, out var kind) && Enum.IsDefined(kind) ? kind : null,
            "memory, etcd");
        if (settings.Text(EndpointsKey) is { } endpoints)
        {
            foreach (var endpoint in endpoints.Split(',', StringSplitOptions.TrimEntries))
            {
                if (!Uri.TryCreate(endpoint, UriKind.Absolute, out var uri) || uri.Scheme is not ("http" or "https"))
                {
                    settings.Fail(EndpointsKey, endpoint, "is not an http:// or https:// URL");
                }
            }

            options.EtcdEndpoints = endpoints;
        }

        if (settings.Text(PrefixKey) is { } prefix)
        {
            if (!prefix.StartsWith('/'))
            {
                settings.Fail(PrefixKey, prefix, "does not start with '/'");
            }

            options.EtcdPrefix = prefix.EndsWith('/') ? prefix : prefix + "/";
        }

        settings.RecordOn(options);
    }
}

public enum RegistryStoreKind
{
    Memory,
    Etcd,
}
