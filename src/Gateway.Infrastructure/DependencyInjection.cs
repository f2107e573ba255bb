using System.Net;
using Gateway.Application.Edge;
using Gateway.Application.Forwarding;
using Gateway.Application.Health;
using Gateway.Application.Registration;
using Gateway.Application.Shaping;
using Gateway.Domain;
using Gateway.Domain.LoadBalancing;
using Gateway.Infrastructure.Configuration;
using Gateway.Infrastructure.Edge;
using Gateway.Infrastructure.Http;
using Gateway.Infrastructure.Registry;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;

namespace Gateway.Infrastructure;

public static class DependencyInjection
{
    public static IServiceCollection AddGatewayInfrastructure(this IServiceCollection services, IConfiguration configuration)
    {
        ArgumentNullException.ThrowIfNull(configuration);
        services.TryAddSingleton(TimeProvider.System);

        services.AddSettings<RegistryOptions>(RegistryConfigurationLoader.Bind);
        services.AddSettings<ForwardingOptions>(ForwardingOptions.Bind);
        services.AddSettings<ResilienceOptions>(ResilienceSettings.Bind);
        services.AddSettings<HealthCheckOptions>(HealthCheckSettings.Bind);

        services.AddSingleton(provider => new ServiceRegistry(new LoadBalancerFactory(), ConfiguredServices(provider)));

        services.AddUpstreamClient();
        services.AddHealthProbe();
        services.AddRegistrationStore();
        services.AddEdgePolicies();
        services.AddShapingPolicies();
        return services;
    }

    private static void AddShapingPolicies(this IServiceCollection services)
    {
        services.AddSettings<AffinityOptions, AffinityOptionsValidation>(AffinityOptions.Bind);
        services.AddSingleton(provider =>
        {
            var policies = new ShapingPolicies(
                provider.GetRequiredService<IOptions<AffinityOptions>>().Value.HashKey,
                provider.GetRequiredService<IOptions<EdgeOptions>>().Value.TrustedProxies);
            policies.Replace(provider.GetRequiredService<IOptionsMonitor<RegistryOptions>>().CurrentValue.Shaping);
            return policies;
        });
    }

    private static void AddEdgePolicies(this IServiceCollection services)
    {
        services.AddSettings<EdgeOptions>(EdgeOptions.Bind);
        services.AddSingleton(provider => provider.GetRequiredService<IOptions<EdgeOptions>>().Value.TrustedProxies);
        services.AddHttpClient(JwtValidatorFactory.ClientName).RemoveAllLoggers();
        services.AddSingleton<IJwtValidatorFactory, JwtValidatorFactory>();
        services.AddSingleton<IEdgeSettingsReader, JsonEdgeSettingsReader>();
        services.AddSingleton(provider =>
        {
            var jwtValidators = provider.GetRequiredService<IJwtValidatorFactory>();
            var proxies = provider.GetRequiredService<IOptions<EdgeOptions>>().Value.TrustedProxies;
            var time = provider.GetRequiredService<TimeProvider>();
            var policies = new EdgePolicies((service, settings, previous) => new EdgePolicy(service, settings, jwtValidators, proxies, time, previous));
            policies.Replace(provider.GetRequiredService<IOptionsMonitor<RegistryOptions>>().CurrentValue.Edge);
            return policies;
        });
        services.AddSingleton(provider =>
        {
            var composer = ActivatorUtilities.CreateInstance<EdgeSettingsComposer>(provider);
            composer.Configure(provider.GetRequiredService<IOptionsMonitor<RegistryOptions>>().CurrentValue.Edge);
            return composer;
        });
    }

    /// <summary>
    /// The configured services as start-up validation read them. Validation caches options in the options monitor and
    /// <c>IOptions</c> keeps a cache of its own, so reading them through <c>IOptions</c> would load the registry twice.
    /// </summary>
    private static IReadOnlyList<ServiceDefinition> ConfiguredServices(IServiceProvider provider) =>
        provider.GetRequiredService<IOptionsMonitor<RegistryOptions>>().CurrentValue.Services;

    private static void AddRegistrationStore(this IServiceCollection services)
    {
        services.AddSettings<RegistryStoreOptions, RegistryStoreOptionsValidation>(RegistryStoreOptions.Bind);
        services.AddSettings<RegistrationOptions>(RegistrationSettings.Bind);
        services.AddSingleton(provider => new StaticServices(ConfiguredServices(provider)));
        services.AddSingleton<IRegistrationStore>(provider =>
            provider.GetRequiredService<IOptions<RegistryStoreOptions>>().Value.Kind switch
            {
                RegistryStoreKind.Etcd => ActivatorUtilities.CreateInstance<EtcdRegistrationStore>(
                    provider,
                    new EtcdStoreSettings(
                        provider.GetRequiredService<IOptions<RegistryStoreOptions>>().Value.EtcdEndpoints,
                        provider.GetRequiredService<IOptions<RegistryStoreOptions>>().Value.EtcdKeyPrefix)),
                _ => ActivatorUtilities.CreateInstance<MemoryRegistrationStore>(provider),
            });
    }

    private static void AddHealthProbe(this IServiceCollection services)
    {
        services.AddSingleton<IHealthProbe, HttpHealthProbe>();
        services.AddHttpClient(HttpHealthProbe.ClientName)
            // The probe keeps its own deadline from the options, measured on the injected clock.
            .ConfigureHttpClient(client => client.Timeout = Timeout.InfiniteTimeSpan)
            .ConfigurePrimaryHttpMessageHandler(provider =>
                HttpHealthProbe.CreateHandler(provider.GetRequiredService<IOptions<HealthCheckOptions>>().Value))
            .SetHandlerLifetime(Timeout.InfiniteTimeSpan)
            .RemoveAllLoggers();
    }

    private static void AddUpstreamClient(this IServiceCollection services)
    {
        services.AddSingleton<ViaHeader>();
        services.AddSingleton<UpstreamDeadlines>();
        services.AddSingleton<IRequestForwarder, HttpRequestForwarder>();
        services.AddSingleton<UpstreamPolicies>();

        services.AddHttpClient(HttpRequestForwarder.ClientName)
            .ConfigurePrimaryHttpMessageHandler(provider => new SocketsHttpHandler
            {
                UseProxy = false,
                AllowAutoRedirect = false,
                AutomaticDecompression = DecompressionMethods.None,
                UseCookies = false,
                ConnectTimeout = provider.GetRequiredService<IOptions<ForwardingOptions>>().Value.ConnectTimeout,
                // Pooled connections are renewed now and then so that DNS changes of an instance's host are seen.
                PooledConnectionLifetime = TimeSpan.FromMinutes(5),
                EnableMultipleHttp2Connections = true,
                // No propagator, no diagnostics handler: it would start a client span and a copy of the request's
                // URI per request. The forwarder writes the gateway span's trace context itself.
                ActivityHeadersPropagator = null,
            })
            // The handler above pools connections itself; the factory must not rotate it away from under them.
            .SetHandlerLifetime(Timeout.InfiniteTimeSpan)
            .AddPolicyHandler((provider, request) => provider.GetRequiredService<UpstreamPolicies>().For(request))
            // Inside the breaker, so that the timeouts and invalid responses it raises are counted.
            .AddHttpMessageHandler(() => new UpstreamExchangeHandler())
            // The gateway logs each request once, itself; the factory's per-request log lines would double that.
            .RemoveAllLoggers();
    }
}
