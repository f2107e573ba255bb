using System.Text.Json;
using Gateway.Application.Edge;
using Gateway.Application.Registration;
using Gateway.Domain;
using Gateway.Domain.LoadBalancing;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Time.Testing;
using NSubstitute;

namespace Gateway.UnitTests.Application.Edge;

public sealed class EdgeSettingsComposerTests : IDisposable
{
    private static readonly EdgeSettings Configured = new(null, null, true, new RateLimitSettings(5, 5, PartitionKey.ClientIp, 0));
    private static readonly EdgeSettings Limited = new(null, null, true, new RateLimitSettings(1, 1, PartitionKey.ClientIp, 0));

    private readonly IEdgeSettingsReader _reader = Substitute.For<IEdgeSettingsReader>();
    private readonly StaticServices _statics = new([new ServiceDefinition("orders", LoadBalancerNames.RoundRobin, "/health", [])]);
    private readonly EdgePolicies _policies;
    private readonly EdgeSettingsComposer _composer;

    public EdgeSettingsComposerTests()
    {
        var time = new FakeTimeProvider();
        _policies = new((service, settings, previous) => new EdgePolicy(service, settings, null, TrustedProxies.None, time, previous));
        _composer = new EdgeSettingsComposer(_policies, _statics, _reader, NullLogger<EdgeSettingsComposer>.Instance);
        _reader.Read(default, default).ReturnsForAnyArgs(new EdgeSettingsRead(Limited, null));
    }

    public void Dispose() => _policies.Dispose();

    [Fact]
    public void Apply_SettingsOfARegisteredService_PutsThemInForce_AndAConfiguredServiceKeepsItsOwn()
    {
        _composer.Configure(new Dictionary<string, EdgeSettings> { ["orders"] = Configured });

        _composer.Apply(Snapshot(changed: null, ("billing", WithLimit()), ("orders", WithLimit())));

        _policies.For("billing").ShouldNotBeNull().Settings.ShouldBe(Limited);
        _policies.For("orders").ShouldNotBeNull().Settings.ShouldBe(Configured);
    }

    [Fact]
    public void Apply_UnrelatedChanges_ReadNothingAgainAndKeepThePolicy()
    {
        _composer.Apply(Snapshot(changed: null, ("billing", WithLimit())));
        var policy = _policies.For("billing");

        _composer.Apply(Snapshot(changed: ["billing"], ("billing", WithLimit())));
        _composer.Apply(Snapshot(changed: ["payments"], ("billing", WithLimit())));

        _reader.ReceivedWithAnyArgs(1).Read(default, default);
        _policies.For("billing").ShouldBeSameAs(policy);
    }

    [Fact]
    public void Apply_SettingsWithoutPolicies_RemoveThem_AsDoesAWholeSnapshotWithoutTheService()
    {
        _composer.Apply(Snapshot(changed: null, ("billing", WithLimit()), ("payments", WithLimit())));

        _composer.Apply(Snapshot(changed: ["billing"], ("billing", new ServiceSettings("random", null)), ("payments", WithLimit())));
        var billing = _policies.For("billing");
        _composer.Apply(Snapshot(changed: null));

        billing.ShouldBeNull();
        _policies.For("payments").ShouldBeNull();
    }

    [Fact]
    public async Task Apply_SettingsThisReplicaCannotRead_CloseTheService()
    {
        _reader.Read(default, default).ReturnsForAnyArgs(new EdgeSettingsRead(null, ("auth.jwksFile", "'/keys.json' does not exist")));

        _composer.Apply(Snapshot(changed: null, ("billing", WithLimit())));

        using var admission = await _policies.For("billing").ShouldNotBeNull().AdmitAsync(
            new Gateway.Application.Forwarding.ForwardRequestCommand(
                "billing", "GET", "/", [], Body: null, ContentLength: null, Client: new("203.0.113.7", "http", "gateway.test")),
            CancellationToken.None);
        admission.Verdict.ShouldBe(EdgeVerdict.Unauthenticated);
    }

    [Fact]
    public void Configure_AfterAReload_ASettingOfAServiceNoLongerConfiguredTakesEffect()
    {
        _composer.Configure(new Dictionary<string, EdgeSettings> { ["orders"] = Configured });
        _composer.Apply(Snapshot(changed: null, ("orders", WithLimit())));

        _statics.Replace([]);
        _composer.Configure(new Dictionary<string, EdgeSettings>());

        _policies.For("orders").ShouldNotBeNull().Settings.ShouldBe(Limited);
    }

    private static ServiceSettings WithLimit() =>
        new(null, null) { RateLimit = JsonDocument.Parse("""{ "permitsPerSecond": 1 }""").RootElement.Clone() };

    private static RegistrySnapshot Snapshot(string[]? changed, params (string Service, ServiceSettings Settings)[] settings) =>
        new(
            new Dictionary<string, IReadOnlyList<InstanceRegistration>>(StringComparer.OrdinalIgnoreCase),
            settings.ToDictionary(entry => entry.Service, entry => entry.Settings, StringComparer.OrdinalIgnoreCase),
            new HashSet<string>(),
            changed is null ? null : new HashSet<string>(changed, StringComparer.OrdinalIgnoreCase));
}
