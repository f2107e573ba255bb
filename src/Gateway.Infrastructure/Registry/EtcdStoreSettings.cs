namespace Gateway.Infrastructure.Registry;

/// <summary>Where the etcd registration store lives: <c>ETCD_ENDPOINTS</c> and <c>ETCD_PREFIX</c>.</summary>
/// <param name="Endpoints">Comma-separated etcd client URLs, e.g. <c>http://10.0.0.1:2379,http://10.0.0.2:2379</c>.</param>
/// <param name="Prefix">The key prefix of this gateway fleet's registrations; it ends with <c>/</c>.</param>
public sealed record EtcdStoreSettings(string Endpoints, string Prefix);
