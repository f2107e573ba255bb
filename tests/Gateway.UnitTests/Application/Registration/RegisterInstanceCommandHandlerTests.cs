using System.Net;
using Gateway.Application.Registration;
using Gateway.UnitTests.TestSupport;
using NSubstitute;
using NSubstitute.ExceptionExtensions;

namespace Gateway.UnitTests.Application.Registration;

public sealed class RegisterInstanceCommandHandlerTests : IAsyncDisposable
{
    private readonly IRegistrationStore _store = Substitute.For<IRegistrationStore>();
    private readonly TestRegistrations _registrations = new();
    private readonly AdminPipeline _admin;

    private static readonly IGatewayAddress NotTheGateway = Substitute.For<IGatewayAddress>();

    public RegisterInstanceCommandHandlerTests()
    {
        _admin = AdminPipeline.Create(_store, _registrations, gatewayAddress: NotTheGateway);
    }

    public ValueTask DisposeAsync() => _admin.DisposeAsync();

    public static TheoryData<InstanceRegistration, string> InvalidRegistrations => new()
    {
        { Valid() with { Service = "health" }, "name" },
        { Valid() with { Service = "ADMIN" }, "name" },
        { Valid() with { Service = "services" }, "name" },
        { Valid() with { Service = "pay ments" }, "name" },
        { Valid() with { Service = ".." }, "name" },
        { Valid() with { Service = new string('s', 101) }, "name" },
        { Valid() with { Host = "169.254.169.254" }, "host" },
        { Valid() with { Host = "fe80::1" }, "host" },
        { Valid() with { Host = "" }, "host" },
        { Valid() with { Host = "   " }, "host" },
        { Valid() with { Host = "a b" }, "host" },
        { Valid() with { Host = "a/b" }, "host" },
        { Valid() with { Host = "user@a" }, "host" },
        { Valid() with { Host = "bad_host!" }, "host" },
        { Valid() with { Port = 0 }, "port" },
        { Valid() with { Port = 65536 }, "port" },
        { Valid() with { Weight = 0 }, "weight" },
        { Valid() with { Weight = -1 }, "weight" },
        { Valid() with { Scheme = "ftp" }, "scheme" },
        { Valid() with { Scheme = "" }, "scheme" },
        { Valid() with { TtlSeconds = 0 }, "ttlSeconds" },
        { Valid() with { TtlSeconds = -5 }, "ttlSeconds" },
        { Valid() with { TtlSeconds = RegistrationRules.MaxTtlSeconds + 1 }, "ttlSeconds" },
    };

    [Theory]
    [MemberData(nameof(InvalidRegistrations))]
    public async Task Handle_InvalidField_ReturnsInvalidNamingItAndStoresNothing(InstanceRegistration registration, string field)
    {
        var result = await _admin.Send(new RegisterInstanceCommand(registration));

        result.Outcome.ShouldBe(AdminOutcome.Invalid);
        result.Field.ShouldBe(field);
        result.Message.ShouldNotBeNullOrWhiteSpace();
        await _store.DidNotReceiveWithAnyArgs().RegisterAsync(default!, default);
    }

    [Theory]
    [InlineData("10.0.0.7")]
    [InlineData("[::1]")]
    [InlineData("::1")]
    [InlineData("svc.internal.example")]
    public async Task Handle_HostNameOrAddress_IsAccepted(string host)
    {
        var registration = Valid() with { Host = host };

        var result = await _admin.Send(new RegisterInstanceCommand(registration));

        result.Outcome.ShouldBe(AdminOutcome.Created);
    }

    [Theory]
    [InlineData("10.1.2.3", null)]
    [InlineData("192.168.0.9", "host")]
    [InlineData("svc.internal.example", "host")]
    public async Task Handle_AllowedNetworksSet_RefusesHostsOutsideThem(string host, string? refusedField)
    {
        await using var admin = AdminPipeline.Create(
            _store,
            _registrations,
            new RegistrationOptions { AllowedNetworks = new AllowedNetworks([IPNetwork.Parse("10.0.0.0/8")]) },
            gatewayAddress: NotTheGateway);

        var result = await admin.Send(new RegisterInstanceCommand(Valid() with { Host = host }));

        result.Field.ShouldBe(refusedField);
        result.Outcome.ShouldBe(refusedField is null ? AdminOutcome.Created : AdminOutcome.Invalid);
    }

    [Fact]
    public async Task Handle_NewService_StoresItAndReturnsCreatedWithTheRegistration()
    {
        var registration = Valid() with { TtlSeconds = 30, Weight = 3, Scheme = "https" };

        var result = await _admin.Send(new RegisterInstanceCommand(registration));

        result.Outcome.ShouldBe(AdminOutcome.Created);
        var registered = result.Value.ShouldNotBeNull();
        registered.ShouldBe(registration);
        registered.Id.ShouldBe("p:9000");
        await _store.Received(1).RegisterAsync(registration, Arg.Any<CancellationToken>());
    }

    [Fact]
    public async Task Handle_KnownRegisteredInstance_ReturnsOkAsARefresh()
    {
        var registration = Valid() with { Service = TestRegistrations.Registered, Host = "c", Port = TestInstances.Port, Weight = 4 };

        var result = await _admin.Send(new RegisterInstanceCommand(registration));

        result.Outcome.ShouldBe(AdminOutcome.Ok);
        await _store.Received(1).RegisterAsync(registration, Arg.Any<CancellationToken>());
    }

    [Fact]
    public async Task Handle_KnownServiceInAnotherCase_StoresItUnderTheServicesName()
    {
        var registration = Valid() with { Service = "BILLING" };

        var result = await _admin.Send(new RegisterInstanceCommand(registration));

        result.Outcome.ShouldBe(AdminOutcome.Created);
        result.Value.ShouldNotBeNull().Service.ShouldBe(TestRegistrations.Registered);
        await _store.Received(1).RegisterAsync(
            Arg.Is<InstanceRegistration>(r => r.Service == TestRegistrations.Registered), Arg.Any<CancellationToken>());
    }

    [Fact]
    public async Task Handle_NewInstanceOfAConfiguredService_IsRegisteredBesideTheConfiguredOnes()
    {
        var registration = Valid() with { Service = TestRegistrations.Configured, Host = "b", Port = TestInstances.Port };

        var result = await _admin.Send(new RegisterInstanceCommand(registration));

        result.Outcome.ShouldBe(AdminOutcome.Created);
        await _store.Received(1).RegisterAsync(registration, Arg.Any<CancellationToken>());
    }

    [Theory]
    [InlineData("orders", "a")]
    [InlineData("ORDERS", "A")]
    public async Task Handle_AddressOfAConfiguredInstance_ReturnsConflictAndStoresNothing(string service, string host)
    {
        var registration = Valid() with { Service = service, Host = host, Port = TestInstances.Port };

        var result = await _admin.Send(new RegisterInstanceCommand(registration));

        result.Outcome.ShouldBe(AdminOutcome.Conflict);
        result.Message.ShouldNotBeNull().ShouldContain("a:8080", Case.Insensitive);
        await _store.DidNotReceiveWithAnyArgs().RegisterAsync(default!, default);
    }

    [Fact]
    public async Task Handle_StoreUnavailable_ReturnsStoreUnavailableWithItsMessage()
    {
        _store.RegisterAsync(default!, default).ThrowsAsyncForAnyArgs(new RegistrationStoreUnavailableException("etcd is down"));

        var result = await _admin.Send(new RegisterInstanceCommand(Valid()));

        result.Outcome.ShouldBe(AdminOutcome.StoreUnavailable);
        result.Message.ShouldBe("etcd is down");
    }

    private static InstanceRegistration Valid() => new("payments", "p", 9000, 1, "http", TtlSeconds: null);
}
