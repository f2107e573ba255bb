using Gateway.Application.Health;
using MediatR;
using Microsoft.Extensions.Options;

namespace Gateway.Api.Health;

/// <summary>Runs a round of active health checks at start-up and then every <see cref="HealthCheckOptions.Interval"/>.</summary>
/// <remarks>
/// A <see cref="PeriodicTimer"/> ticks on a fixed schedule from start-up, so rounds start every interval however long
/// each takes, instead of drifting by their own duration; a round that overruns a tick simply absorbs it. Time comes
/// from the injected <see cref="TimeProvider"/>, so tests move it instead of waiting.
/// </remarks>
public sealed partial class HealthCheckWorker(
    IServiceScopeFactory scopes,
    IOptions<HealthCheckOptions> options,
    TimeProvider timeProvider,
    IHostApplicationLifetime lifetime,
    ILogger<HealthCheckWorker> logger) : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        try
        {
            // Hosted services start before the server binds its port: a gateway that cannot listen must stop without
            // having probed anyone or logged a verdict on them.
            await WhenStarted(stoppingToken);
            using var timer = new PeriodicTimer(options.Value.Interval, timeProvider);
            do
            {
                await RunRoundAsync(stoppingToken);
            }
            while (await timer.WaitForNextTickAsync(stoppingToken));
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
            // Shutdown: probes in flight were cancelled with the token.
        }
    }

    private async Task WhenStarted(CancellationToken stoppingToken)
    {
        var started = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        await using (lifetime.ApplicationStarted.Register(() => started.TrySetResult()))
        {
            await started.Task.WaitAsync(stoppingToken);
        }
    }

    private async Task RunRoundAsync(CancellationToken stoppingToken)
    {
        try
        {
            await using var scope = scopes.CreateAsyncScope();
            var mediator = scope.ServiceProvider.GetRequiredService<IMediator>();
            var result = await mediator.Send(new CheckHealthCommand(), stoppingToken);
            LogRound(logger, result.Checked, result.Healthy, result.Changed);
        }
        catch (Exception error) when (!stoppingToken.IsCancellationRequested)
        {
            // A failed round must not end health checking for the life of the process: the next tick tries again.
            LogRoundFailed(logger, error);
        }
    }

    [LoggerMessage(Level = LogLevel.Debug, Message = "Health check round: {Checked} instances checked, {Healthy} healthy, {Changed} changed")]
    private static partial void LogRound(ILogger logger, int @checked, int healthy, int changed);

    [LoggerMessage(Level = LogLevel.Error, Message = "Health check round failed; the next one runs on schedule")]
    private static partial void LogRoundFailed(ILogger logger, Exception error);
}
