using Gateway.Api.Controllers;
using Gateway.Api.Forwarding;
using Gateway.Api.Health;
using Gateway.Api.Hosting;
using Gateway.Api.Logging;
using Gateway.Api.Registry;
using Gateway.Api.Telemetry;
using Gateway.Application.Registration;
using Gateway.Infrastructure.Configuration;
using Microsoft.AspNetCore.Connections;
using Microsoft.AspNetCore.Cors.Infrastructure;
using Microsoft.AspNetCore.Mvc.Controllers;
using Microsoft.AspNetCore.Mvc.ModelBinding;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;
using Microsoft.Net.Http.Headers;

namespace Gateway.Api;

public static class DependencyInjection
{
    public static IServiceCollection AddGatewayApi(this IServiceCollection services, IConfiguration configuration)
    {
        ArgumentNullException.ThrowIfNull(configuration);

        services.AddSettings<GatewayServerOptions, GatewayServerOptionsValidation>(GatewayServerOptions.Bind);
        // After the registry's own binding validation, which Infrastructure registered: its problems are named first.
        services.AddSingleton<IValidateOptions<RegistryOptions>, SelfAddressValidation>();
        services.AddSingleton<IGatewayAddress, GatewayAddress>();
        services.AddSettings<LoggingOptions>(LoggingOptions.Bind);

        // MVC core rather than AddControllers: that adds authorization, and with it the host adds authentication and
        // authorization middleware to every request, which nothing here uses. The gateway's controllers need MVC's
        // routing, its JSON formatters and ApiController's conventions, all in the core.
        services.AddMvcCore(mvc =>
            {
                // Binding anything from a form makes MVC read the whole body first: a proxied form POST would reach the
                // instance empty. The gateway binds route values only and reads bodies itself.
                mvc.ValueProviderFactories.RemoveType<FormValueProviderFactory>();
                mvc.ValueProviderFactories.RemoveType<FormFileValueProviderFactory>();
                mvc.ValueProviderFactories.RemoveType<JQueryFormValueProviderFactory>();
                // Its only work is a 415 for a [FromBody] parameter of an unsupported type, and no action here has
                // one; as a global action filter it would wrap every proxied request in the action-filter pipeline.
                foreach (var filter in mvc.Filters.OfType<UnsupportedContentTypeFilter>().ToList())
                {
                    mvc.Filters.Remove(filter);
                }
            })
            .AddApplicationPart(typeof(DependencyInjection).Assembly);
        services.Replace(ServiceDescriptor.Singleton<IControllerActivator, GatewayControllerActivator>());
        services.AddProblemDetails();

        services.AddHostedService<HealthCheckWorker>();
        services.AddHostedService<RegistryStoreWorker>();
        services.AddSingleton<ConfigurationState>();
        services.AddHostedService<ConfigurationReloadWorker>();
        services.AddHostedService<DrainWorker>();
        services.AddSettings<AdminOptions, AdminOptionsValidation>(AdminOptions.Bind);
        services.AddGatewayPrometheus();

        services.AddHostedService<StartupSummary>();
        services.AddSingleton<StreamIdleWatches>();
        services.AddSingleton<RequestActivities>();
        services.Replace(ServiceDescriptor.Singleton<IMemoryPoolFactory<byte>, TransportMemoryPoolFactory>());
        services.AddSingleton<ConnectionLimiter>();
        services.AddHostedService(provider => provider.GetRequiredService<ConnectionLimiter>());
        services.AddOptions<KestrelServerOptions>()
            .Configure<IOptions<GatewayServerOptions>, ConnectionLimiter>(ConfigureKestrel);
        services.AddCors();
        services.AddOptions<CorsOptions>().Configure<IOptions<GatewayServerOptions>>(ConfigureCors);
        return services;
    }

    private static void ConfigureKestrel(
        KestrelServerOptions kestrel, IOptions<GatewayServerOptions> options, ConnectionLimiter connections)
    {
        GatewayServerOptions server;
        try
        {
            server = options.Value;
        }
        catch (OptionsValidationException)
        {
            // The server is created while the app is built, before start-up validation runs; leaving it unconfigured
            // here lets that validation report these settings together with all the others. Nothing listens yet.
            return;
        }

        kestrel.Limits.MaxRequestBodySize = server.MaxRequestBodySize;
        // The instance's own Server header passes through unchanged instead.
        kestrel.AddServerHeader = false;
        connections.Configure(server.MaxConnections ?? long.MaxValue, kestrel.Limits.RequestHeadersTimeout);
        GatewayListeners.Listen(kestrel, server, connections);
    }

    private static void ConfigureCors(CorsOptions cors, IOptions<GatewayServerOptions> options)
    {
        var server = options.Value;
        cors.AddDefaultPolicy(policy =>
        {
            if (server.AllowsAnyOrigin)
            {
                policy.AllowAnyOrigin();
            }
            else
            {
                policy.WithOrigins([.. server.CorsOrigins]).AllowCredentials();
            }

            policy.AllowAnyMethod()
                .AllowAnyHeader()
                // What a browser script needs to read besides the safelisted headers: who answered, the trace to
                // quote in a bug report, and when a rate-limited client may try again.
                .WithExposedHeaders(
                    ForwardedResponseResult.ServiceHeader,
                    ForwardedResponseResult.InstanceHeader,
                    ForwardedResponseResult.ResponseTimeHeader,
                    TraceHeader.Name,
                    HeaderNames.RetryAfter,
                    EdgeResponses.RateLimitPolicyHeader,
                    EdgeResponses.RateLimitHeader);
        });
    }
}
