using Gateway.Application.Edge;
using Gateway.Application.Forwarding;
using Microsoft.Extensions.Time.Testing;

namespace Gateway.UnitTests.Application.Edge;

public sealed class EdgePoliciesTests : IDisposable
{
    private static readonly RateLimitSettings OnePerSecond = new(1, 1, PartitionKey.ClientIp, 0);

    private readonly FakeTimeProvider _time = new();
    private readonly EdgePolicies _policies;
    private int _created;

    public EdgePoliciesTests() => _policies = new((service, settings, previous) =>
    {
        _created++;
        return new EdgePolicy(service, settings, null, TrustedProxies.None, _time, previous);
    });

    public void Dispose() => _policies.Dispose();

    [Fact]
    public void For_NothingInForce_IsNull()
    {
        _policies.Replace(new Dictionary<string, EdgeSettings>());

        _policies.For("orders").ShouldBeNull();
    }

    [Fact]
    public void Replace_SameSettingsInNewObjects_KeepsThePolicy()
    {
        _policies.Replace(Settings(("orders", ApiKey("mobile", 1, OnePerSecond))));
        var before = _policies.For("ORDERS");

        _policies.Replace(Settings(("orders", ApiKey("mobile", 1, OnePerSecond)), ("billing", ApiKey("batch", 2, null))));

        _policies.For("orders").ShouldBeSameAs(before);
        _policies.For("billing").ShouldNotBeNull();
        _created.ShouldBe(2);
    }

    [Fact]
    public void Replace_OtherKey_MakesANewPolicy_AndRemovedServicesHaveNone()
    {
        _policies.Replace(Settings(("orders", ApiKey("mobile", 1, null)), ("billing", ApiKey("batch", 2, null))));
        var before = _policies.For("orders");

        _policies.Replace(Settings(("orders", ApiKey("mobile", 3, null))));

        _policies.For("orders").ShouldNotBeSameAs(before);
        _policies.For("billing").ShouldBeNull();
    }

    [Fact]
    public async Task Replace_AuthChangedLimitNot_KeepsTheBuckets_ALimitChanged_StartsFresh()
    {
        _policies.Replace(Settings(("orders", ApiKey("mobile", 1, OnePerSecond))));
        (await AdmitAsync()).ShouldBe(EdgeVerdict.Admitted);

        _policies.Replace(Settings(("orders", ApiKey("mobile", 2, OnePerSecond))));
        var afterAuthChange = await AdmitAsync("key-2");
        _policies.Replace(Settings(("orders", ApiKey("mobile", 2, OnePerSecond with { Burst = 2 }))));
        var afterLimitChange = await AdmitAsync("key-2");

        afterAuthChange.ShouldBe(EdgeVerdict.RateLimited);
        afterLimitChange.ShouldBe(EdgeVerdict.Admitted);
    }

    private async Task<EdgeVerdict> AdmitAsync(string key = "key-1")
    {
        using var admission = await _policies.For("orders")!.AdmitAsync(
            new ForwardRequestCommand(
                "orders", "GET", "/", [new("X-Api-Key", key)], Body: null, ContentLength: null, Client: new ClientInfo("203.0.113.7", "http", "gateway.test")),
            CancellationToken.None);
        return admission.Verdict;
    }

    private static EdgeSettings ApiKey(string name, int key, RateLimitSettings? rateLimit) =>
        new(
            new ApiKeySettings(ApiKeySettings.DefaultHeader, [new ApiKeyEntry(name, System.Security.Cryptography.SHA256.HashData(System.Text.Encoding.UTF8.GetBytes($"key-{key}")))]),
            null,
            true,
            rateLimit);

    private static Dictionary<string, EdgeSettings> Settings(params (string Service, EdgeSettings Settings)[] services) =>
        services.ToDictionary(service => service.Service, service => service.Settings);
}
