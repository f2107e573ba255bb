using Gateway.Infrastructure.Configuration;

namespace Gateway.Infrastructure.Registry;

/// <summary>Refuses etcd endpoints that are not URLs and a prefix that is not a key path.</summary>
internal sealed class RegistryStoreOptionsValidation : OptionsValidation<RegistryStoreOptions>
{
    protected override void Check(RegistryStoreOptions options, SettingFailures failures)
    {
        foreach (var endpoint in options.EtcdEndpoints.Split(',', StringSplitOptions.TrimEntries))
        {
            if (!Uri.TryCreate(endpoint, UriKind.Absolute, out var uri) || uri.Scheme is not ("http" or "https"))
            {
                failures.Add(RegistryStoreOptions.EndpointsKey, endpoint, "is not an http:// or https:// URL");
            }
        }

        if (!options.EtcdPrefix.StartsWith('/'))
        {
            failures.Add(RegistryStoreOptions.PrefixKey, options.EtcdPrefix, "does not start with '/'");
        }
    }
}
