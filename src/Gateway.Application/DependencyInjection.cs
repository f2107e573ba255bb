using Gateway.Application.Forwarding;
using Gateway.Application.Health;
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
        services.AddScoped<ServiceFactory>(provider => provider.GetService!);
        services.AddScoped<IMediator, Mediator>();

        services.AddScoped<IRequestHandler<ForwardRequestCommand, ForwardResult>, ForwardRequestCommandHandler>();
        services.AddScoped<IRequestHandler<CheckHealthCommand, CheckHealthResult>, CheckHealthCommandHandler>();
        return services;
    }
}
