using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;

namespace SampleService;

/// <summary>
/// Keeps this instance registered with the gateway: registers once Kestrel listens, heartbeats every third of the
/// lease, registers again when the gateway has forgotten it, and deregisters on shutdown.
/// </summary>
/// <remarks>
/// The gateway being unreachable or refusing is never fatal: the failure is logged (once per distinct cause) and the
/// call is tried again at the next beat. Deregistration happens in <see cref="StoppingAsync"/>, which the host runs
/// before any hosted service stops, so the gateway forgets the instance while Kestrel still serves; in
/// <see cref="BackgroundService.StopAsync"/> Kestrel has already stopped accepting connections.
/// </remarks>
internal sealed class SelfRegistrationWorker(
    GatewayAdminClient gateway,
    SampleServiceArguments arguments,
    RegistrationArguments registration,
    IServer server,
    IHostApplicationLifetime lifetime,
    ILogger<SelfRegistrationWorker> logger) : BackgroundService, IHostedLifecycleService
{
    /// <summary>The longest a register or heartbeat call may take; shorter with a short lease, so a beat is not missed.</summary>
    private static readonly TimeSpan LongestCallTimeout = TimeSpan.FromSeconds(5);

    /// <summary>Shutdown does not wait longer than this for the gateway: the lease ends the registration anyway.</summary>
    private static readonly TimeSpan DeregisterTimeout = TimeSpan.FromSeconds(2);

    // Cancelled when shutdown begins, so that no heartbeat can renew (or re-create) the instance after it is deregistered.
    private readonly CancellationTokenSource _stopBeating = new();

    // Written by the heartbeat loop; read by StoppingAsync only once the loop has ended.
    private int? _port;
    private string? _instanceId;
    private bool _mayBeRegistered;
    private string? _lastFailure;

    private TimeSpan CallTimeout => registration.HeartbeatInterval < LongestCallTimeout ? registration.HeartbeatInterval : LongestCallTimeout;

    public Task StartingAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public Task StartedAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public async Task StoppingAsync(CancellationToken cancellationToken)
    {
        await _stopBeating.CancelAsync();
        if (ExecuteTask is { } loop)
        {
            await loop.WaitAsync(cancellationToken).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
        }

        // The id the gateway gave, or the one it would give: a registration whose answer was lost (to a timeout, or to
        // shutdown itself) may have been made all the same.
        if (!_mayBeRegistered || (_instanceId ?? (_port is { } port ? $"{registration.AdvertiseHost}:{port}" : null)) is not { } instanceId)
        {
            return;
        }

        var answer = await gateway.DeregisterAsync(instanceId, DeregisterTimeout, cancellationToken);
        if (answer.Succeeded)
        {
            Log.Deregistered(logger, arguments.Name, registration.Gateway, registration.Service, instanceId);
        }
        else if (answer.StatusCode == StatusCodes.Status404NotFound)
        {
            Log.NotRegisteredAtShutdown(logger, arguments.Name, registration.Gateway, registration.Service, instanceId);
        }
        else
        {
            Log.DeregisterFailed(logger, arguments.Name, registration.Gateway, answer.Failure!, registration.TtlSeconds);
        }
    }

    public Task StoppedAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public override void Dispose()
    {
        _stopBeating.Dispose();
        base.Dispose();
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var stopping = CancellationTokenSource.CreateLinkedTokenSource(stoppingToken, _stopBeating.Token);
        try
        {
            await WaitUntilListeningAsync(stopping.Token);
            if (BoundPort() is not { } port)
            {
                Log.NoBoundPort(logger, arguments.Name, string.Join(", ", Addresses()));
                return;
            }

            _port = port;
            using var beat = new PeriodicTimer(registration.HeartbeatInterval);
            var registered = false;
            do
            {
                registered = registered ? await HeartbeatAsync(port, stopping.Token) : await RegisterAsync(port, stopping.Token);
            }
            while (await beat.WaitForNextTickAsync(stopping.Token));
        }
        catch (OperationCanceledException) when (stopping.IsCancellationRequested)
        {
            // Shutting down: StoppingAsync deregisters.
        }
    }

    /// <summary>The bound port is known only once Kestrel listens, which matters for <c>--port 0</c>.</summary>
    private async Task WaitUntilListeningAsync(CancellationToken cancellationToken)
    {
        var started = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        using var onStarted = lifetime.ApplicationStarted.Register(() => started.TrySetResult());
        using var onStopping = cancellationToken.Register(() => started.TrySetCanceled(cancellationToken));
        await started.Task;
    }

    private IEnumerable<string> Addresses() => server.Features.Get<IServerAddressesFeature>()?.Addresses ?? [];

    private int? BoundPort()
    {
        foreach (var address in Addresses())
        {
            if (Uri.TryCreate(address, UriKind.Absolute, out var uri) && uri.Port > 0)
            {
                return uri.Port;
            }
        }

        return null;
    }

    /// <summary>Registers; returns whether the instance is registered now.</summary>
    private async Task<bool> RegisterAsync(int port, CancellationToken cancellationToken)
    {
        _mayBeRegistered = true;
        var answer = await gateway.RegisterAsync(port, CallTimeout, cancellationToken);
        if (!answer.Succeeded)
        {
            // An error status means the gateway refused it; without an answer nobody knows.
            _mayBeRegistered = answer.StatusCode is null;
            Failed("registration", answer.Failure!);
            return false;
        }

        _lastFailure = null;
        _instanceId = answer.InstanceId ?? $"{registration.AdvertiseHost}:{port}";
        Log.Registered(logger, arguments.Name, registration.Gateway, registration.Service, _instanceId, registration.TtlSeconds,
            registration.HeartbeatInterval.TotalSeconds);
        return true;
    }

    /// <summary>Renews the lease, or registers again if the gateway has forgotten the instance; returns whether it is registered.</summary>
    private async Task<bool> HeartbeatAsync(int port, CancellationToken cancellationToken)
    {
        var answer = await gateway.HeartbeatAsync(_instanceId!, CallTimeout, cancellationToken);
        if (answer.StatusCode == StatusCodes.Status404NotFound)
        {
            // The lease ran out (heartbeats were lost) or the gateway restarted with the memory store.
            Log.LeaseLost(logger, arguments.Name, registration.Gateway, registration.Service, _instanceId!);
            return await RegisterAsync(port, cancellationToken);
        }

        if (!answer.Succeeded)
        {
            // Still registered as far as we know: the next beat tries again, and a 404 then brings a fresh registration.
            Failed("heartbeat", answer.Failure!);
            return true;
        }

        if (_lastFailure is not null)
        {
            _lastFailure = null;
            Log.HeartbeatsResumed(logger, arguments.Name, registration.Gateway);
        }

        return true;
    }

    /// <summary>Logs a failure once per distinct cause: a gateway that stays down is one warning, not one per beat.</summary>
    private void Failed(string call, string cause)
    {
        var failure = $"{call}: {cause}";
        if (failure == _lastFailure)
        {
            Log.StillFailing(logger, arguments.Name, call, registration.Gateway, cause);
            return;
        }

        _lastFailure = failure;
        Log.CallFailed(logger, arguments.Name, call, registration.Gateway, cause, registration.HeartbeatInterval.TotalSeconds);
    }
}
