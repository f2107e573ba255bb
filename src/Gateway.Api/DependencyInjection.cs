namespace Gateway.Api;

public static class DependencyInjection
{
    public static IServiceCollection AddGatewayApi(this IServiceCollection services, IConfiguration configuration)
    {
        ArgumentNullException.ThrowIfNull(configuration);
        services.AddControllers().AddApplicationPart(typeof(DependencyInjection).Assembly);
        return services;
    }
}
