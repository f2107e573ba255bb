using Gateway.Application.Forwarding;
using Gateway.Application.Health;
using Gateway.Application.Registration;
using Gateway.Application.Telemetry;
using MediatR;
using Microsoft.Extensions.DependencyInjection;

namespace Gateway.Application;

public static class DependencyInjection
{
    /// <summary>
    /// Registers the use cases. MediatR 5 has no assembly scanning, so every handler is listed here, in one place.
    /// </summary>
    public static IServiceCollection AddGatewayApplication(this IServiceCollection services)
    {
        // Singletons, as every handler is: resolved per request from the request's scope, a scoped mediator would make
        // each proxied request create that scope's cache of scoped services for this alone.
        services.AddSingleton<ServiceFactory>(provider => provider.GetService!);
        services.AddSingleton<IMediator, Mediator>();

        services.AddSingleton<GatewayMetrics>();

        // The handlers keep no per-request state and depend only on singletons, so one of each serves every request.
        services.AddSingleton<IRequestHandler<ForwardRequestCommand, ForwardResult>, ForwardRequestCommandHandler>();
        services.AddSingleton<IRequestHandler<CheckHealthCommand, CheckHealthResult>, CheckHealthCommandHandler>();

        services.AddSingleton<RegistryComposer>();
        services.AddSingleton<DrainCoordinator>();
        services.AddSingleton<IRequestHandler<RegisterInstanceCommand, AdminResult>, RegisterInstanceCommandHandler>();
        services.AddSingleton<IRequestHandler<RenewInstanceCommand, AdminResult>, RenewInstanceCommandHandler>();
        services.AddSingleton<IRequestHandler<RemoveInstanceCommand, AdminResult>, RemoveInstanceCommandHandler>();
        services.AddSingleton<IRequestHandler<DrainInstanceCommand, AdminResult>, DrainInstanceCommandHandler>();
        services.AddSingleton<IRequestHandler<ConfigureServiceCommand, AdminResult>, ConfigureServiceCommandHandler>();
        return services;
    }
}
