using Gateway.Application.Registration;

namespace Gateway.Api.Registry;

/// <summary>Follows the registration store for the life of the host, applying each snapshot to the live registry.</summary>
public sealed class RegistryStoreWorker(IRegistrationStore store, RegistryComposer composer) : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        store.SnapshotChanged += composer.Apply;
        try
        {
            await store.RunAsync(stoppingToken);
        }
        finally
        {
            store.SnapshotChanged -= composer.Apply;
        }
    }
}
