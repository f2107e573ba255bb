using Gateway.Api.Registry;
using Gateway.Domain;
using Gateway.Infrastructure.Configuration;
using Gateway.Infrastructure.Registry;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.Options;

namespace Gateway.Api.Hosting;

/// <summary>
/// Once the server listens, one line that says what this gateway is: where it listens, where its registry comes from
/// and how large it is, whether the admin API exists, which store it shares registrations through, and whether TLS is on.
/// </summary>
internal sealed partial class StartupSummary(
    IHostApplicationLifetime lifetime,
    IServer server,
    ServiceRegistry registry,
    IConfiguration configuration,
    IOptions<AdminOptions> admin,
    IOptions<RegistryStoreOptions> store,
    ILogger<StartupSummary> logger) : IHostedService
{
    public Task StartAsync(CancellationToken cancellationToken)
    {
        lifetime.ApplicationStarted.Register(Log);
        return Task.CompletedTask;
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    private void Log()
    {
        if (!logger.IsEnabled(LogLevel.Information))
        {
            return;
        }

        var addresses = server.Features.Get<IServerAddressesFeature>()?.Addresses.ToList() ?? [];
        var instances = registry.Services.Sum(service => service.Instances.Count);
        var source = configuration[RegistryOptions.FileKey] is { Length: > 0 } file
            ? $"{RegistryOptions.FileKey} {Path.GetFullPath(file)}"
            : $"appsettings ({RegistryOptions.SectionPath})";
        var storeKind = store.Value.Kind == RegistryStoreKind.Etcd
            ? $"etcd {store.Value.EtcdEndpoints} {store.Value.EtcdKeyPrefix}"
            : "memory";
        var tls = addresses.Any(address => address.StartsWith("https:", StringComparison.OrdinalIgnoreCase));
        var listening = string.Join(", ", addresses);
        LogSummary(
            logger,
            listening,
            source,
            registry.Count,
            instances,
            admin.Value.Key is null ? "off" : "on",
            storeKind,
            tls ? "on" : "off");
    }

    [LoggerMessage(Level = LogLevel.Information,
        Message = "MSA Gateway listening on {Addresses}; registry from {RegistrySource}: {Services} services, {Instances} instances; admin API {Admin}; registry store {Store}; TLS {Tls}")]
    private static partial void LogSummary(
        ILogger logger, string addresses, string registrySource, int services, int instances, string admin, string store, string tls);
}
