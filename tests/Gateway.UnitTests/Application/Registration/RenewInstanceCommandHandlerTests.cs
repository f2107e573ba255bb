using Gateway.Application.Registration;
using Gateway.UnitTests.TestSupport;
using NSubstitute;
using NSubstitute.ExceptionExtensions;

namespace Gateway.UnitTests.Application.Registration;

public sealed class RenewInstanceCommandHandlerTests : IAsyncDisposable
{
    private readonly IRegistrationStore _store = Substitute.For<IRegistrationStore>();
    private readonly AdminPipeline _admin;

    public RenewInstanceCommandHandlerTests()
    {
        _admin = AdminPipeline.Create(_store, new TestRegistrations());
    }

    public ValueTask DisposeAsync() => _admin.DisposeAsync();

    [Fact]
    public async Task Handle_Renewed_ReturnsOk()
    {
        _store.RenewAsync("billing", "c:8080", Arg.Any<CancellationToken>()).Returns(true);

        var result = await _admin.Send(new RenewInstanceCommand("billing", "c:8080"));

        result.Outcome.ShouldBe(AdminOutcome.Ok);
    }

    [Fact]
    public async Task Handle_UnknownOrExpired_ReturnsNotFound()
    {
        _store.RenewAsync(default!, default!, default).ReturnsForAnyArgs(false);

        var result = await _admin.Send(new RenewInstanceCommand("billing", "c:8080"));

        result.Outcome.ShouldBe(AdminOutcome.NotFound);
        result.Message.ShouldNotBeNull().ShouldContain("c:8080");
    }

    [Fact]
    public async Task Handle_StoreUnavailable_ReturnsStoreUnavailable()
    {
        _store.RenewAsync(default!, default!, default).ThrowsAsyncForAnyArgs(new RegistrationStoreUnavailableException("etcd is down"));

        var result = await _admin.Send(new RenewInstanceCommand("billing", "c:8080"));

        result.Outcome.ShouldBe(AdminOutcome.StoreUnavailable);
    }
}
