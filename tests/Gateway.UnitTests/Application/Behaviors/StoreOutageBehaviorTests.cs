using Gateway.Application.Behaviors;
using Gateway.Application.Registration;
using MediatR;
using Microsoft.Extensions.Logging.Abstractions;

namespace Gateway.UnitTests.Application.Behaviors;

public sealed class StoreOutageBehaviorTests
{
    private readonly StoreOutageBehavior<RenewInstanceCommand, Unit> _behaviour = new(NullLogger<StoreOutageBehavior<RenewInstanceCommand, Unit>>.Instance);
    private readonly RenewInstanceCommand _command = new("billing", "c:8080");

    [Fact]
    public async Task Handle_StoreUnavailable_ReturnsStoreUnavailableWithItsMessage()
    {
        var result = await _behaviour.Handle(
            _command, CancellationToken.None, () => throw new RegistrationStoreUnavailableException("etcd is down"));

        result.Outcome.ShouldBe(AdminOutcome.StoreUnavailable);
        result.Message.ShouldBe("etcd is down");
    }

    [Fact]
    public async Task Handle_OtherFailure_IsNotMapped()
    {
        await Should.ThrowAsync<InvalidOperationException>(
            () => _behaviour.Handle(_command, CancellationToken.None, () => throw new InvalidOperationException("a bug")));
    }

    [Fact]
    public async Task Handle_Success_PassesTheResultOn()
    {
        var answer = new AdminResult<Unit>(AdminOutcome.Ok);

        var result = await _behaviour.Handle(_command, CancellationToken.None, () => Task.FromResult(answer));

        result.ShouldBeSameAs(answer);
    }
}
