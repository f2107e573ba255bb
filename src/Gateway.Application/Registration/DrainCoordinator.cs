using System.Threading.Channels;
using Gateway.Application.Operations;
using Gateway.Domain;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Gateway.Application.Registration;

/// <summary>Waits for drained instances to finish their requests, then removes the registered ones.</summary>
/// <remarks>
/// A drained instance gets no new requests; once its requests in flight reach zero, or the drain timeout passes, a
/// registered instance is removed from the store. A configured one cannot be removed and simply stays out of
/// rotation until the gateway restarts. The wait polls the in-flight count on the injected clock. When the timeout
/// passes with exchanges still open (upgraded connections have no end of their own), they are ended. The drains run in
/// <see cref="RunAsync"/>, which the host runs as a background service: stopping the host cancels the drains in
/// progress and waits for them to end, so none touches the store after shutdown.
/// </remarks>
public sealed partial class DrainCoordinator(
    IRegistrationStore store,
    ServiceRegistry registry,
    IOptions<RegistrationOptions> options,
    TimeProvider timeProvider,
    EventTimeline timeline,
    ILogger<DrainCoordinator> logger)
{
    private static readonly TimeSpan PollInterval = TimeSpan.FromMilliseconds(100);

    private readonly Channel<Drain> _pending = Channel.CreateUnbounded<Drain>(new() { SingleReader = true });

    /// <summary>Hands a drain to <see cref="RunAsync"/>; the task ends with the drain, canceled if shutdown cut it short.</summary>
    public Task Track(string service, Instance instance)
    {
        ArgumentNullException.ThrowIfNull(instance);
        var drain = new Drain(service, instance);
        if (!_pending.Writer.TryWrite(drain))
        {
            drain.Ended.TrySetCanceled();
        }

        return drain.Ended.Task;
    }

    /// <summary>Runs every drain handed over, side by side, until cancelled; then waits for those still running.</summary>
    public async Task RunAsync(CancellationToken cancellationToken)
    {
        var running = new List<Task>();
        try
        {
            await foreach (var drain in _pending.Reader.ReadAllAsync(cancellationToken))
            {
                running.RemoveAll(static task => task.IsCompleted);
                running.Add(RunOneAsync(drain, cancellationToken));
            }
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            // Shutdown: what is running sees the same token and ends below.
        }
        finally
        {
            _pending.Writer.TryComplete();
            while (_pending.Reader.TryRead(out var left))
            {
                left.Ended.TrySetCanceled(cancellationToken);
            }

            await Task.WhenAll(running);
        }
    }

    private async Task RunOneAsync(Drain drain, CancellationToken cancellationToken)
    {
        try
        {
            await DrainAsync(drain.Service, drain.Instance, cancellationToken);
            drain.Ended.TrySetResult();
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            LogStopped(logger, drain.Service, drain.Instance.Id, drain.Instance.ActiveRequests);
            drain.Ended.TrySetCanceled(cancellationToken);
        }
        catch (Exception error)
        {
            // A bug in one drain must not end the worker, and with it every other drain.
            LogFailed(logger, drain.Service, drain.Instance.Id, error);
            drain.Ended.TrySetException(error);
        }
    }

    private async Task DrainAsync(string service, Instance instance, CancellationToken cancellationToken)
    {
        var started = timeProvider.GetTimestamp();
        var timeout = options.Value.DrainTimeout;
        while (instance.ActiveRequests > 0 && timeProvider.GetElapsedTime(started) < timeout)
        {
            await Task.Delay(PollInterval, timeProvider, cancellationToken);
        }

        if (!IsStillDraining(service, instance))
        {
            LogCalledOff(logger, service, instance.Id);
            return;
        }

        var inFlight = instance.ActiveRequests;
        if (inFlight > 0)
        {
            instance.Retire();
        }

        timeline.Record(
            GatewayEventKinds.Drained,
            service,
            instance.Id,
            inFlight == 0 ? "no requests left in flight" : $"drain timeout passed with {inFlight} in flight; they were ended");

        if (!instance.IsDynamic)
        {
            LogDrained(logger, service, instance.Id, instance.ActiveRequests);
            return;
        }

        try
        {
            await store.RemoveAsync(service, instance.Id, cancellationToken);
            LogRemoved(logger, service, instance.Id, instance.ActiveRequests);
        }
        catch (RegistrationStoreUnavailableException error)
        {
            // Its lease, if it has one, still ends it; without one it stays drained until removed by hand.
            LogRemoveFailed(logger, service, instance.Id, error.Message);
        }
    }

    /// <summary>
    /// Whether the drain still stands when it ends. Registering the same host:port again calls a drain off (the store
    /// drops the mark, which puts this instance back in rotation, or a new weight or a removal in between makes it
    /// another instance), and the removal by id below would otherwise take the fresh registration away.
    /// </summary>
    /// <remarks>
    /// Checked once, at the end, rather than on every poll: with a shared store the mark comes back through the
    /// store, and an older snapshot applied meanwhile clears the flag for a moment.
    /// </remarks>
    private bool IsStillDraining(string service, Instance instance) =>
        instance.IsDraining
        && registry.TryGetService(service, out var current)
        && ReferenceEquals(current.FindInstance(instance.Id), instance);

    private sealed record Drain(string Service, Instance Instance)
    {
        public TaskCompletionSource Ended { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);
    }

    [LoggerMessage(Level = LogLevel.Error, Message = "{Service} {InstanceId} drain failed; the instance stays out of rotation")]
    private static partial void LogFailed(ILogger logger, string service, string instanceId, Exception error);

    [LoggerMessage(Level = LogLevel.Information, Message = "{Service} {InstanceId} drain stopped by shutdown ({InFlight} requests still in flight)")]
    private static partial void LogStopped(ILogger logger, string service, string instanceId, int inFlight);

    [LoggerMessage(Level = LogLevel.Information, Message = "{Service} {InstanceId} is no longer being drained (registered again or removed); it is left as it is")]
    private static partial void LogCalledOff(ILogger logger, string service, string instanceId);

    [LoggerMessage(Level = LogLevel.Information, Message = "{Service} {InstanceId} drained ({InFlight} requests still in flight); it stays out of rotation")]
    private static partial void LogDrained(ILogger logger, string service, string instanceId, int inFlight);

    [LoggerMessage(Level = LogLevel.Information, Message = "{Service} {InstanceId} drained and removed ({InFlight} requests still in flight)")]
    private static partial void LogRemoved(ILogger logger, string service, string instanceId, int inFlight);

    [LoggerMessage(Level = LogLevel.Warning, Message = "{Service} {InstanceId} drained but could not be removed: {Cause}")]
    private static partial void LogRemoveFailed(ILogger logger, string service, string instanceId, string cause);
}
