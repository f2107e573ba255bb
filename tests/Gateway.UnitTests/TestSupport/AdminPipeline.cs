using Gateway.Application;
using Gateway.Application.Registration;
using MediatR;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using NSubstitute;

namespace Gateway.UnitTests.TestSupport;

/// <summary>
/// The admin commands as the API sends them: through the mediator, with the behaviours the Application registers
/// around each handler, over a substituted store and the real registry.
/// </summary>
internal static class AdminPipeline
{
    public static IMediator Create(
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
            .AddGatewayApplication();
        return services.BuildServiceProvider().GetRequiredService<IMediator>();
    }
}
