using Gateway.Application.Registration;

namespace Gateway.Api.Registry;

/// <summary>Runs the drains the admin API starts for the life of the host; stopping the host waits for them.</summary>
public sealed class DrainWorker(DrainCoordinator drains) : BackgroundService
{
    protected override Task ExecuteAsync(CancellationToken stoppingToken) => drains.RunAsync(stoppingToken);
}
