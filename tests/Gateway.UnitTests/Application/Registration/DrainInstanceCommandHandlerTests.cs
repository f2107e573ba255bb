using Gateway.Application.Registration;
using Gateway.UnitTests.TestSupport;
using NSubstitute;
using NSubstitute.ExceptionExtensions;

namespace Gateway.UnitTests.Application.Registration;

public sealed class DrainInstanceCommandHandlerTests : IAsyncDisposable
{
    private static readonly TimeSpan Deadline = TimeSpan.FromSeconds(10);

    private readonly IRegistrationStore _store = Substitute.For<IRegistrationStore>();
    private readonly TimerWatchingTimeProvider _time = new(TestServices.Now);
    private readonly TestRegistrations _registrations = new();
    private readonly AdminPipeline _admin;

    public DrainInstanceCommandHandlerTests()
    {
        _store.RemoveAsync(default!, default!, default).ReturnsForAnyArgs(true);
        _admin = AdminPipeline.Create(_store, _registrations, timeProvider: _time);
    }

    public ValueTask DisposeAsync() => _admin.DisposeAsync();

    [Fact]
    public async Task Handle_RegisteredInstance_TakesItOutOfRotationAtOnceAndMarksItInTheStore()
    {
        var instance = _registrations.Instance(TestRegistrations.Registered, TestRegistrations.RegisteredInstance);
        instance.BeginRequest();

        var result = await _admin.Send(new DrainInstanceCommand("BILLING", "C:8080"));

        result.Outcome.ShouldBe(AdminOutcome.Accepted);
        instance.IsDraining.ShouldBeTrue();
        instance.IsAvailable.ShouldBeFalse();
        await _store.Received(1).MarkDrainingAsync(
            TestRegistrations.Registered, TestRegistrations.RegisteredInstance, Arg.Any<CancellationToken>());
        await _store.DidNotReceiveWithAnyArgs().RemoveAsync(default!, default!, default);
    }

    [Fact]
    public async Task Handle_RegisteredInstance_IsRemovedOnceItsLastRequestEnds()
    {
        var instance = _registrations.Instance(TestRegistrations.Registered, TestRegistrations.RegisteredInstance);
        instance.BeginRequest();
        var removed = new TaskCompletionSource();
        _store.RemoveAsync(default!, default!, default).ReturnsForAnyArgs(_ =>
        {
            removed.TrySetResult();
            return true;
        });

        await _admin.Send(new DrainInstanceCommand(TestRegistrations.Registered, TestRegistrations.RegisteredInstance));

        await _time.WaitForTimerAsync(Deadline);
        instance.EndRequest();
        _time.Advance(TimeSpan.FromMilliseconds(100));
        await removed.Task.WaitAsync(Deadline);
        await _store.Received(1).RemoveAsync(
            TestRegistrations.Registered, TestRegistrations.RegisteredInstance, Arg.Any<CancellationToken>());
    }

    [Fact]
    public async Task Handle_ConfiguredInstance_IsDrainedToo()
    {
        var instance = _registrations.Instance(TestRegistrations.Configured, TestRegistrations.ConfiguredInstance);

        var result = await _admin.Send(new DrainInstanceCommand(TestRegistrations.Configured, TestRegistrations.ConfiguredInstance));

        result.Outcome.ShouldBe(AdminOutcome.Accepted);
        instance.IsDraining.ShouldBeTrue();
        await _store.Received(1).MarkDrainingAsync(
            TestRegistrations.Configured, TestRegistrations.ConfiguredInstance, Arg.Any<CancellationToken>());
    }

    [Theory]
    [InlineData("payments", "c:8080")]
    [InlineData("billing", "z:8080")]
    public async Task Handle_UnknownServiceOrInstance_ReturnsNotFoundAndMarksNothing(string service, string id)
    {
        var result = await _admin.Send(new DrainInstanceCommand(service, id));

        result.Outcome.ShouldBe(AdminOutcome.NotFound);
        await _store.DidNotReceiveWithAnyArgs().MarkDrainingAsync(default!, default!, default);
    }

    [Fact]
    public async Task Handle_StoreUnavailable_ReturnsStoreUnavailableAndStartsNoDrain()
    {
        _store.MarkDrainingAsync(default!, default!, default)
            .ThrowsAsyncForAnyArgs(new RegistrationStoreUnavailableException("etcd is down"));

        var result = await _admin.Send(new DrainInstanceCommand(TestRegistrations.Registered, TestRegistrations.RegisteredInstance));

        result.Outcome.ShouldBe(AdminOutcome.StoreUnavailable);
        result.Message.ShouldBe("etcd is down");
        await _store.DidNotReceiveWithAnyArgs().RemoveAsync(default!, default!, default);
    }
}
