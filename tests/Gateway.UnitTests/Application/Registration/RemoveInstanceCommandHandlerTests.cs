using Gateway.Application.Registration;
using Gateway.UnitTests.TestSupport;
using NSubstitute;
using NSubstitute.ExceptionExtensions;

namespace Gateway.UnitTests.Application.Registration;

public sealed class RemoveInstanceCommandHandlerTests : IAsyncDisposable
{
    private readonly IRegistrationStore _store = Substitute.For<IRegistrationStore>();
    private readonly TestRegistrations _registrations = new();
    private readonly AdminPipeline _admin;

    public RemoveInstanceCommandHandlerTests()
    {
        _store.RemoveAsync(default!, default!, default).ReturnsForAnyArgs(true);
        _admin = AdminPipeline.Create(_store, _registrations);
    }

    public ValueTask DisposeAsync() => _admin.DisposeAsync();

    [Fact]
    public async Task Handle_RegisteredInstance_RemovesItFromTheStore()
    {
        var command = new RemoveInstanceCommand("BILLING", "C:8080");

        var result = await _admin.Send(command);

        result.Outcome.ShouldBe(AdminOutcome.Removed);
        await _store.Received(1).RemoveAsync(TestRegistrations.Registered, TestRegistrations.RegisteredInstance, Arg.Any<CancellationToken>());
    }

    [Fact]
    public async Task Handle_ConfiguredInstance_ReturnsConflictAndRemovesNothing()
    {
        var command = new RemoveInstanceCommand(TestRegistrations.Configured, TestRegistrations.ConfiguredInstance);

        var result = await _admin.Send(command);

        result.Outcome.ShouldBe(AdminOutcome.Conflict);
        await _store.DidNotReceiveWithAnyArgs().RemoveAsync(default!, default!, default);
    }

    [Theory]
    [InlineData("payments", "c:8080")]
    [InlineData("billing", "z:8080")]
    public async Task Handle_UnknownServiceOrInstance_ReturnsNotFound(string service, string id)
    {
        var result = await _admin.Send(new RemoveInstanceCommand(service, id));

        result.Outcome.ShouldBe(AdminOutcome.NotFound);
        await _store.DidNotReceiveWithAnyArgs().RemoveAsync(default!, default!, default);
    }

    [Fact]
    public async Task Handle_GoneFromTheStoreMeanwhile_ReturnsNotFound()
    {
        _store.RemoveAsync(default!, default!, default).ReturnsForAnyArgs(false);

        var result = await _admin.Send(new RemoveInstanceCommand(TestRegistrations.Registered, TestRegistrations.RegisteredInstance));

        result.Outcome.ShouldBe(AdminOutcome.NotFound);
    }

    [Fact]
    public async Task Handle_StoreUnavailable_ReturnsStoreUnavailable()
    {
        _store.RemoveAsync(default!, default!, default).ThrowsAsyncForAnyArgs(new RegistrationStoreUnavailableException("etcd is down"));

        var result = await _admin.Send(new RemoveInstanceCommand(TestRegistrations.Registered, TestRegistrations.RegisteredInstance));

        result.Outcome.ShouldBe(AdminOutcome.StoreUnavailable);
        result.Message.ShouldBe("etcd is down");
    }
}
