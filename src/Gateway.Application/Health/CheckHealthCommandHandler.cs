using Gateway.Application.Operations;
using Gateway.Application.Telemetry;
using Gateway.Domain;
using MediatR;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Gateway.Application.Health;

public sealed partial class CheckHealthCommandHandler(
    ServiceRegistry registry,
    IHealthProbe probe,
    IOptions<HealthCheckOptions> options,
    GatewayMetrics metrics,
    EventTimeline timeline,
    ILogger<CheckHealthCommandHandler> logger) : IRequestHandler<CheckHealthCommand, CheckHealthResult>
{
    public async Task<CheckHealthResult> Handle(CheckHealthCommand request, CancellationToken cancellationToken)
    {
        var settings = options.Value;
        var targets = registry.Services
            .SelectMany(service => service.Instances.Select(instance => (service, instance)))
            .ToList();

        var changed = 0;
        var parallelism = new ParallelOptions
        {
            MaxDegreeOfParallelism = settings.MaxConcurrentProbes,
            CancellationToken = cancellationToken,
        };
        await Parallel.ForEachAsync(targets, parallelism, async (target, token) =>
        {
            var (service, instance) = target;
            var result = await probe.ProbeAsync(service, instance, token);
            metrics.HealthChecked(service, instance, result.Healthy);
            if (instance.RecordCheck(result, service.ThresholdsOver(settings.Thresholds)))
            {
                Interlocked.Increment(ref changed);
                LogChange(service, instance, result);
            }
        });

        var healthy = targets.Count(target => target.instance.Health.IsHealthy);
        return new CheckHealthResult(targets.Count, healthy, changed);
    }

    private void LogChange(Service service, Instance instance, HealthCheckResult result)
    {
        if (instance.Health.IsHealthy)
        {
            LogBackInRotation(logger, service.Name, instance.Id);
            timeline.Record(GatewayEventKinds.Recovered, service.Name, instance.Id, "active health check passed");
        }
        else
        {
            var cause = result.Error ?? "unhealthy";
            LogTakenOut(logger, service.Name, instance.Id, cause);
            timeline.Record(GatewayEventKinds.Ejected, service.Name, instance.Id, $"active health check: {cause}");
        }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "{Service} {InstanceId} is unhealthy and out of rotation: {Cause}")]
    private static partial void LogTakenOut(ILogger logger, string service, string instanceId, string cause);

    [LoggerMessage(Level = LogLevel.Information, Message = "{Service} {InstanceId} is healthy and back in rotation")]
    private static partial void LogBackInRotation(ILogger logger, string service, string instanceId);
}
