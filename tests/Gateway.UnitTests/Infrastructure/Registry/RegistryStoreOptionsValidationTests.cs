using Gateway.Infrastructure.Registry;

namespace Gateway.UnitTests.Infrastructure.Registry;

public sealed class RegistryStoreOptionsValidationTests
{
    private readonly RegistryStoreOptionsValidation _validation = new();

    [Theory]
    [InlineData("http://127.0.0.1:2379", null)]
    [InlineData("https://etcd-0.internal:2379, https://etcd-1.internal:2379", null)]
    [InlineData("ftp://etcd.internal:2379", "ETCD_ENDPOINTS: 'ftp://etcd.internal:2379' is not an http:// or https:// URL")]
    [InlineData("http://etcd-0:2379,etcd-1:2379", "ETCD_ENDPOINTS: 'etcd-1:2379' is not an http:// or https:// URL")]
    [InlineData("http://etcd-0:2379,", "ETCD_ENDPOINTS: '' is not an http:// or https:// URL")]
    public void Validate_Endpoints_AcceptsHttpUrlsOnly(string endpoints, string? failure)
    {
        var options = new RegistryStoreOptions { EtcdEndpoints = endpoints };

        var result = _validation.Validate(null, options);

        result.Failures.ShouldBe(failure is null ? null : [failure]);
    }

    [Theory]
    [InlineData("/msa-gateway/", "/msa-gateway/", null)]
    [InlineData("/fleet-a", "/fleet-a/", null)]
    [InlineData("/", "/", null)]
    [InlineData("msa-gateway", "msa-gateway/", "ETCD_PREFIX: 'msa-gateway' does not start with '/'")]
    public void Validate_Prefix_StartsWithASlashAndKeysEndWithOne(string prefix, string keyPrefix, string? failure)
    {
        var options = new RegistryStoreOptions { EtcdPrefix = prefix };

        var result = _validation.Validate(null, options);

        result.Failures.ShouldBe(failure is null ? null : [failure]);
        options.EtcdKeyPrefix.ShouldBe(keyPrefix);
    }
}
