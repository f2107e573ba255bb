using Gateway.Application.Behaviors;
using Gateway.Application.Forwarding;
using Gateway.Application.Health;
using Gateway.Application.Operations;
using Gateway.Application.Registration;
using Gateway.Application.Telemetry;
using Gateway.Application.Traffic;
using Gateway.Domain;
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
        services.AddSingleton<EventTimeline>();
        services.AddSingleton<TrafficHistory>();

        services.AddSingleton<VersionRouter>();

        // The handlers keep no per-request state and depend only on singletons, so one of each serves every request.
        services.AddSingleton<IRequestHandler<ForwardRequestCommand, ForwardResult>, ForwardRequestCommandHandler>();
        services.AddSingleton<IRequestHandler<CheckHealthCommand, CheckHealthResult>, CheckHealthCommandHandler>();

        services.AddSingleton<RegistryComposer>();
        services.AddSingleton<DrainCoordinator>();
        AddAdminCommand<RegisterInstanceCommand, InstanceRegistration, RegisterInstanceCommandHandler, RegisterInstanceCommandValidator>(services);
        AddAdminCommand<RenewInstanceCommand, Unit, RenewInstanceCommandHandler>(services);
        AddAdminCommand<RemoveInstanceCommand, Unit, RemoveInstanceCommandHandler>(services);
        AddAdminCommand<DrainInstanceCommand, DrainingInstance, DrainInstanceCommandHandler>(services);
        AddAdminCommand<ConfigureServiceCommand, ServiceConfiguration, ConfigureServiceCommandHandler, ConfigureServiceCommandValidator>(services);
        AddAdminCommand<SetSplitCommand, ServiceSplit, SetSplitCommandHandler, SetSplitCommandValidator>(services);
        services.AddSingleton<InstanceOverrides>();
        AddAdminCommand<OverrideInstanceCommand, InstanceOverride, OverrideInstanceCommandHandler, OverrideInstanceCommandValidator>(services);
        AddAdminCommand<RestoreInstanceCommand, Unit, OverrideInstanceCommandHandler>(services);
        return services;
    }

    /// <summary>
    /// Registers an admin command's handler and, for its closed type only, the behaviours around it, outermost
    /// first. Open generic behaviours would wrap the forward command too: MediatR would build the chain, and the
    /// container the behaviours, on every proxied request.
    /// </summary>
    private static void AddAdminCommand<TCommand, TValue, THandler>(IServiceCollection services)
        where TCommand : IAdminCommand<TValue>
        where THandler : class, IRequestHandler<TCommand, AdminResult<TValue>>
    {
        services.AddSingleton<IRequestHandler<TCommand, AdminResult<TValue>>, THandler>();
        services.AddSingleton<IPipelineBehavior<TCommand, AdminResult<TValue>>, AdminCommandLoggingBehavior<TCommand, TValue>>();
        services.AddSingleton<IPipelineBehavior<TCommand, AdminResult<TValue>>, StoreOutageBehavior<TCommand, TValue>>();
    }

    /// <summary>The same, with the command's input checked last before the handler.</summary>
    private static void AddAdminCommand<TCommand, TValue, THandler, TValidator>(IServiceCollection services)
        where TCommand : IAdminCommand<TValue>
        where THandler : class, IRequestHandler<TCommand, AdminResult<TValue>>
        where TValidator : class, IAdminCommandValidator<TCommand>
    {
        AddAdminCommand<TCommand, TValue, THandler>(services);
        services.AddSingleton<IAdminCommandValidator<TCommand>, TValidator>();
        services.AddSingleton<IPipelineBehavior<TCommand, AdminResult<TValue>>, AdminCommandValidationBehavior<TCommand, TValue>>();
    }
}
