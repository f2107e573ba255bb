using System.Text.Json;
using Gateway.Application.Registration;
using Gateway.Domain.LoadBalancing;
using Gateway.UnitTests.TestSupport;
using NSubstitute;
using NSubstitute.ExceptionExtensions;

namespace Gateway.UnitTests.Application.Registration;

public sealed class ConfigureServiceCommandHandlerTests : IAsyncDisposable
{
    private readonly IRegistrationStore _store = Substitute.For<IRegistrationStore>();
    private readonly TestRegistrations _registrations = new();
    private readonly AdminPipeline _admin;

    public ConfigureServiceCommandHandlerTests()
    {
        _admin = AdminPipeline.Create(_store, _registrations);
    }

    public ValueTask DisposeAsync() => _admin.DisposeAsync();

    [Fact]
    public async Task Handle_RegisteredService_StoresTheStrategysCanonicalNameAndThePath()
    {
        var command = new ConfigureServiceCommand("BILLING", new ServiceSettings("LeastConnections", "/status"));

        var result = await _admin.Send(command);

        result.Outcome.ShouldBe(AdminOutcome.Ok);
        await _store.Received(1).ConfigureServiceAsync(
            TestRegistrations.Registered, new ServiceSettings(LoadBalancerNames.LeastConnections, "/status"), Arg.Any<CancellationToken>());
    }

    [Fact]
    public async Task Handle_OnlyThePath_KeepsTheStrategyAsItIs()
    {
        var command = new ConfigureServiceCommand(TestRegistrations.Registered, new ServiceSettings(null, "/status"));

        var result = await _admin.Send(command);

        result.Outcome.ShouldBe(AdminOutcome.Ok);
        await _store.Received(1).ConfigureServiceAsync(
            TestRegistrations.Registered, new ServiceSettings(null, "/status"), Arg.Any<CancellationToken>());
    }

    [Fact]
    public async Task Handle_ConfiguredService_ReturnsConflictAndStoresNothing()
    {
        var command = new ConfigureServiceCommand(TestRegistrations.Configured, new ServiceSettings(LoadBalancerNames.Random, null));

        var result = await _admin.Send(command);

        result.Outcome.ShouldBe(AdminOutcome.Conflict);
        await _store.DidNotReceiveWithAnyArgs().ConfigureServiceAsync(default!, default!, default);
    }

    [Fact]
    public async Task Handle_UnknownService_ReturnsNotFound()
    {
        var command = new ConfigureServiceCommand("payments", new ServiceSettings(LoadBalancerNames.Random, null));

        var result = await _admin.Send(command);

        result.Outcome.ShouldBe(AdminOutcome.NotFound);
        await _store.DidNotReceiveWithAnyArgs().ConfigureServiceAsync(default!, default!, default);
    }

    [Theory]
    [InlineData("fastest", null, "loadBalancer")]
    [InlineData("", null, "loadBalancer")]
    [InlineData(null, "status", "healthCheckPath")]
    public async Task Handle_InvalidSetting_ReturnsInvalidNamingTheField(string? loadBalancer, string? path, string field)
    {
        var command = new ConfigureServiceCommand(TestRegistrations.Registered, new ServiceSettings(loadBalancer, path));

        var result = await _admin.Send(command);

        result.Outcome.ShouldBe(AdminOutcome.Invalid);
        result.Field.ShouldBe(field);
        await _store.DidNotReceiveWithAnyArgs().ConfigureServiceAsync(default!, default!, default);
    }

    [Fact]
    public async Task Handle_StoreUnavailable_ReturnsStoreUnavailable()
    {
        _store.ConfigureServiceAsync(default!, default!, default)
            .ThrowsAsyncForAnyArgs(new RegistrationStoreUnavailableException("etcd is down"));
        var command = new ConfigureServiceCommand(TestRegistrations.Registered, new ServiceSettings(LoadBalancerNames.Random, null));

        var result = await _admin.Send(command);

        result.Outcome.ShouldBe(AdminOutcome.StoreUnavailable);
    }

    [Fact]
    public async Task Handle_AuthAndRateLimit_StoresThemAsGivenAndAnswersWhatIsInForce()
    {
        var auth = Json("""{ "type": "api_key", "keys": [ { "name": "mobile", "sha256": "9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08" } ] }""");
        var rateLimit = Json("""{ "permitsPerSecond": 10, "partitionBy": "api_key" }""");
        var command = new ConfigureServiceCommand(TestRegistrations.Registered, new ServiceSettings(null, null) { Auth = auth, RateLimit = rateLimit });

        var result = await _admin.Send(command);

        result.Outcome.ShouldBe(AdminOutcome.Ok);
        var edge = result.Value.ShouldNotBeNull().Edge.ShouldNotBeNull();
        edge.AuthType.ShouldBe("api_key");
        edge.RateLimit.ShouldNotBeNull().Burst.ShouldBe(10);
        await _store.Received(1).ConfigureServiceAsync(
            TestRegistrations.Registered,
            Arg.Is<ServiceSettings>(stored => stored.Auth!.Value.GetRawText() == auth.GetRawText() && stored.RateLimit!.Value.GetRawText() == rateLimit.GetRawText()),
            Arg.Any<CancellationToken>());
    }

    [Fact]
    public async Task Handle_InvalidAuth_ReturnsInvalidNamingTheNestedFieldAndStoresNothing()
    {
        var command = new ConfigureServiceCommand(
            TestRegistrations.Registered,
            new ServiceSettings(null, null) { Auth = Json("""{ "type": "jwt", "issuer": "https://i", "audiences": ["a"], "jwksUrl": "not a url" }""") });

        var result = await _admin.Send(command);

        result.Outcome.ShouldBe(AdminOutcome.Invalid);
        result.Field.ShouldBe("auth.jwksUrl");
        await _store.DidNotReceiveWithAnyArgs().ConfigureServiceAsync(default!, default!, default);
    }

    private static JsonElement Json(string text) => JsonDocument.Parse(text).RootElement.Clone();
}
