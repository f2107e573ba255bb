using MediatR;
using Microsoft.Extensions.DependencyInjection;

namespace Gateway.Application;

public static class DependencyInjection
{
    /// <summary>Registers the use cases and MediatR, by hand: MediatR 5 has no assembly scanning of its own.</summary>
    public static IServiceCollection AddGatewayApplication(this IServiceCollection services)
    {
        services.AddScoped<ServiceFactory>(provider => provider.GetService!);
        services.AddScoped<IMediator, Mediator>();
        return services;
    }
}
