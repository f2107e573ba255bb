using Gateway.Application;
using Gateway.Application.Edge;
using Gateway.Application.Registration;
using Gateway.Infrastructure.Configuration;
using MediatR;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using NSubstitute;

namespace Gateway.UnitTests.TestSupport;

/// <summary>
/// The admin commands as the API sends them: through the mediator, with the behaviours the Application registers
/// around each handler, over a substituted store and the real registry; drains run as the host runs them.
/// </summary>
internal sealed class AdminPipeline : IAsyncDisposable
{
    private readonly ServiceProvider _provider;
    private readonly IMediator _mediator;
    private readonly CancellationTokenSource _stopping = new();
    private readonly Task _drains;

    private AdminPipeline(ServiceProvider provider)
    {
        _provider = provider;
        _mediator = provider.GetRequiredService<IMediator>();
        _drains = provider.GetRequiredService<DrainCoordinator>().RunAsync(_stopping.Token);
    }

    public Task<TResponse> Send<TResponse>(IRequest<TResponse> command) => _mediator.Send(command);

    public async ValueTask DisposeAsync()
    {
        await _stopping.CancelAsync();
        await _drains.WaitAsync(TimeSpan.FromSeconds(10));
        _stopping.Dispose();
        await _provider.DisposeAsync();
    }

    public static AdminPipeline Create(
        IRegistrationStore store,
        TestRegistrations registrations,
        RegistrationOptions? options = null,
        TimeProvider? timeProvider = null,
        IGatewayAddress? gatewayAddress = null)
    {
        var services = new ServiceCollection()
            .AddLogging()
            .AddSingleton(timeProvider ?? TimeProvider.System)
            .AddSingleton(store)
            .AddSingleton(registrations.Registry)
            .AddSingleton(registrations.Statics)
            .AddSingleton(Options.Create(options ?? new RegistrationOptions()))
            .AddSingleton(gatewayAddress ?? Substitute.For<IGatewayAddress>())
            .AddSingleton<IEdgeSettingsReader, JsonEdgeSettingsReader>()
            .AddGatewayApplication();
        return new AdminPipeline(services.BuildServiceProvider());
    }
}
