using Gateway.Application.Edge;
using Gateway.Application.Registration;

namespace Gateway.Api.Registry;

/// <summary>Follows the registration store for the life of the host, applying each snapshot to the live registry.</summary>
public sealed class RegistryStoreWorker(IRegistrationStore store, RegistryComposer composer, EdgeSettingsComposer edge) : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        // Policies first: a service the snapshot brings is routed only once the policies stored with it are in force.
        store.SnapshotChanged += edge.Apply;
        store.SnapshotChanged += composer.Apply;
        try
        {
            await store.RunAsync(stoppingToken);
        }
        finally
        {
            store.SnapshotChanged -= composer.Apply;
            store.SnapshotChanged -= edge.Apply;
        }
    }
}
