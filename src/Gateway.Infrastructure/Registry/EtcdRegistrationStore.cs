using System.Text.Json;
using dotnet_etcd;
using Etcdserverpb;
using Gateway.Application.Registration;
using Gateway.Domain;
using Google.Protobuf;
using Grpc.Core;
using Microsoft.Extensions.Logging;
using Mvccpb;

namespace Gateway.Infrastructure.Registry;

/// <summary>Registrations shared by every gateway replica through etcd: each replica loads the prefix, then watches it.</summary>
/// <remarks>
/// <para>
/// Keys, under the fleet's prefix: <c>instances/{service}/{host:port}</c> holds the registration as JSON, attached to a
/// lease of its TTL when it has one, so that etcd itself removes an instance that stops heartbeating;
/// <c>draining/{service}/{host:port}</c> marks a drain and shares the instance's lease, so it goes with it;
/// <c>settings/{service}</c> holds a dynamic service's <see cref="ServiceSettings"/>; <c>splits/{service}</c> a
/// service's split across versions set at run time, as a JSON object of weights.
/// </para>
/// <para>
/// Writes go straight to etcd and come back to every replica, this one included, through the watch. While etcd cannot
/// be reached the last snapshot stands (an outage never produces an empty registry), the state says so, and the loop
/// retries with backoff; when etcd answers again it reloads the whole prefix and watches on from that revision.
/// </para>
/// </remarks>
internal sealed partial class EtcdRegistrationStore : IRegistrationStore, IDisposable
{
    private const string InstancesSection = "instances/";
    private const string DrainingSection = "draining/";
    private const string SettingsSection = "settings/";
    private const string SplitsSection = "splits/";

    /// <summary>How long one call to etcd may take before the store counts etcd as unreachable.</summary>
    private static readonly TimeSpan CallTimeout = TimeSpan.FromSeconds(5);

    private static readonly TimeSpan FirstRetryDelay = TimeSpan.FromMilliseconds(500);
    private static readonly TimeSpan LongestRetryDelay = TimeSpan.FromSeconds(10);

    /// <summary>A watch silent this long is asked for a progress notification, which etcd answers at once.</summary>
    private static readonly TimeSpan WatchQuietPeriod = TimeSpan.FromSeconds(5);

    /// <summary>
    /// A watch silent this long, progress requests included, is given up as a dead connection: a network partition can
    /// leave the TCP stream open without a word for much longer than the channel's own keep-alive pings take to notice.
    /// </summary>
    private static readonly TimeSpan WatchSilenceLimit = TimeSpan.FromSeconds(15);

    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);

    private readonly EtcdStoreSettings _settings;
    private readonly TimeProvider _timeProvider;
    private readonly ILogger<EtcdRegistrationStore> _logger;
    private readonly EtcdClient _client;
    private readonly string _prefix;

    // What the prefix holds, by etcd key; only RunAsync's loop reads and writes these.
    private readonly Dictionary<string, Entry<InstanceRegistration>> _instances = new(StringComparer.Ordinal);
    private readonly Dictionary<string, Entry<ServiceSettings>> _serviceSettings = new(StringComparer.Ordinal);
    private readonly Dictionary<string, string> _draining = new(StringComparer.Ordinal);
    private readonly Dictionary<string, Entry<Dictionary<string, int>>> _splits = new(StringComparer.Ordinal);

    private volatile StoreState _state;
    private long _lastHeardOnWatch;
    private bool _everConnected;

    public EtcdRegistrationStore(EtcdStoreSettings settings, TimeProvider timeProvider, ILogger<EtcdRegistrationStore> logger)
    {
        ArgumentNullException.ThrowIfNull(settings);
        ArgumentException.ThrowIfNullOrWhiteSpace(settings.Endpoints);
        ArgumentException.ThrowIfNullOrWhiteSpace(settings.Prefix);
        if (!settings.Prefix.EndsWith('/'))
        {
            throw new ArgumentException($"The etcd prefix '{settings.Prefix}' must end with '/'.", nameof(settings));
        }

        _settings = settings;
        _timeProvider = timeProvider;
        _logger = logger;
        _prefix = settings.Prefix;
        _state = new StoreState("etcd", Connected: false, Since: null, LastError: null);

        // The channel's default reconnect backoff grows to two minutes; a replica should find etcd again within a second
        // or so of its return, so the backoff is kept short (connection attempts to a down loopback port are cheap).
        _client = new EtcdClient(settings.Endpoints, configureChannelOptions: options =>
        {
            options.InitialReconnectBackoff = TimeSpan.FromMilliseconds(100);
            options.MaxReconnectBackoff = TimeSpan.FromSeconds(1);
        });
    }

    public StoreState State => _state;

    public event Action<RegistrySnapshot>? SnapshotChanged;

    public async Task RunAsync(CancellationToken cancellationToken)
    {
        var retryDelay = FirstRetryDelay;
        while (!cancellationToken.IsCancellationRequested)
        {
            try
            {
                var revision = await LoadAsync(cancellationToken);

                // The backoff starts over once etcd has taken the watch, not merely answered the load: a watch that
                // fails at once would otherwise be retried every half second for ever.
                await FollowAsync(revision + 1, () => retryDelay = FirstRetryDelay, cancellationToken);
            }
            catch (Exception) when (cancellationToken.IsCancellationRequested)
            {
                // Shutdown: gRPC reports it as an OperationCanceledException or as an RpcException (Cancelled).
                return;
            }
            catch (Exception error)
            {
                // Whatever went wrong, the loop must survive it: the replica keeps routing with the last snapshot.
                MarkDisconnected(error, retryDelay);
                try
                {
                    await Task.Delay(retryDelay, _timeProvider, cancellationToken);
                }
                catch (OperationCanceledException)
                {
                    return;
                }

                retryDelay = TimeSpan.FromTicks(Math.Min(retryDelay.Ticks * 2, LongestRetryDelay.Ticks));
            }
        }
    }

    public async Task RegisterAsync(InstanceRegistration registration, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(registration);
        var key = InstanceKey(registration.Service, registration.Id);
        var drainKey = DrainKey(registration.Service, registration.Id);
        var json = JsonSerializer.Serialize(registration, Json);
        await CallAsync($"register {registration.Service} {registration.Id}", async () =>
        {
            var existing = await FindInstanceAsync(registration.Service, registration.Id, cancellationToken);
            var lease = registration.TtlSeconds is { } ttl
                ? (await _client.LeaseGrantAsync(new LeaseGrantRequest { TTL = ttl }, deadline: Deadline(), cancellationToken: cancellationToken)).ID
                : 0;

            // A new lease every time: the TTL may have changed. The put moves the key onto it; the old lease, and with
            // it an old drain mark, is then let go. Re-registering therefore clears a drain: the instance came back.
            var transaction = new TxnRequest();
            if (existing?.Key.ToStringUtf8() is { } existingKey && existingKey != key)
            {
                // Known under another spelling (hosts and service names compare case-insensitively): the new one wins.
                transaction.Success.Add(DeleteOp(existingKey));
                transaction.Success.Add(DeleteOp(DrainKeyOf(existingKey)));
            }

            transaction.Success.Add(DeleteOp(drainKey));
            transaction.Success.Add(new RequestOp
            {
                RequestPut = new PutRequest { Key = ByteString.CopyFromUtf8(key), Value = ByteString.CopyFromUtf8(json), Lease = lease },
            });
            await _client.TransactionAsync(transaction, deadline: Deadline(), cancellationToken: cancellationToken);
            if (existing is { Lease: not 0 } && existing.Lease != lease)
            {
                await RevokeQuietlyAsync(existing.Lease, cancellationToken);
            }
        }, cancellationToken);
    }

    public Task<bool> RenewAsync(string service, string instanceId, CancellationToken cancellationToken) =>
        CallAsync($"renew {service} {instanceId}", async () =>
        {
            var existing = await FindInstanceAsync(service, instanceId, cancellationToken);
            if (existing is null)
            {
                return false;
            }

            if (existing.Lease == 0)
            {
                return true;
            }

            // One keep-alive on a stream of its own, so that it has a deadline; etcd answers TTL 0 for a lease that
            // has run out (its key may not have been deleted yet).
            using var call = _client.GetConnection().LeaseClient.LeaseKeepAlive(deadline: Deadline(), cancellationToken: cancellationToken);
            await call.RequestStream.WriteAsync(new LeaseKeepAliveRequest { ID = existing.Lease }, cancellationToken);
            await call.RequestStream.CompleteAsync();
            return await call.ResponseStream.MoveNext(cancellationToken) && call.ResponseStream.Current.TTL > 0;
        }, cancellationToken);

    public Task<bool> RemoveAsync(string service, string instanceId, CancellationToken cancellationToken) =>
        CallAsync($"remove {service} {instanceId}", async () =>
        {
            var existing = await FindInstanceAsync(service, instanceId, cancellationToken);
            var key = existing?.Key.ToStringUtf8() ?? InstanceKey(service, instanceId);
            var transaction = new TxnRequest();
            transaction.Success.Add(DeleteOp(key, previous: true));
            transaction.Success.Add(DeleteOp(DrainKeyOf(key)));
            var response = await _client.TransactionAsync(transaction, deadline: Deadline(), cancellationToken: cancellationToken);
            var deleted = response.Responses[0].ResponseDeleteRange;
            if (deleted.PrevKvs.Count > 0 && deleted.PrevKvs[0].Lease is var lease and not 0)
            {
                await RevokeQuietlyAsync(lease, cancellationToken);
            }

            return deleted.Deleted > 0;
        }, cancellationToken);

    public Task MarkDrainingAsync(string service, string instanceId, CancellationToken cancellationToken) =>
        CallAsync($"mark {service} {instanceId} as draining", async () =>
        {
            // A registered instance's mark shares its lease and goes with it. A configured instance has no key here:
            // its mark has no lease and stays until it is deleted, so that every replica keeps it out of rotation.
            var existing = await FindInstanceAsync(service, instanceId, cancellationToken);
            var drainKey = existing is null ? DrainKey(service, instanceId) : DrainKeyOf(existing.Key.ToStringUtf8());
            var put = new PutRequest { Key = ByteString.CopyFromUtf8(drainKey), Value = ByteString.CopyFromUtf8("1"), Lease = existing?.Lease ?? 0 };
            try
            {
                await _client.PutAsync(put, deadline: Deadline(), cancellationToken: cancellationToken);
            }
            catch (RpcException error) when (error.StatusCode == StatusCode.NotFound)
            {
                // Its lease ran out or was revoked since it was read: the instance is gone, there is nothing to drain.
            }
        }, cancellationToken);

    public Task ConfigureServiceAsync(string service, ServiceSettings settings, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(settings);
        var json = JsonSerializer.Serialize(settings, Json);
        return CallAsync(
            $"configure {service}",
            () => _client.PutAsync(_prefix + SettingsSection + service, json, deadline: Deadline(), cancellationToken: cancellationToken),
            cancellationToken);
    }

    public Task SetSplitAsync(string service, IReadOnlyDictionary<string, int> weights, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(weights);
        var json = JsonSerializer.Serialize(weights, Json);
        return CallAsync(
            $"set the split of {service}",
            () => _client.PutAsync(_prefix + SplitsSection + service, json, deadline: Deadline(), cancellationToken: cancellationToken),
            cancellationToken);
    }

    public void Dispose() => _client.Dispose();

    /// <summary>A gRPC deadline: gRPC compares it with the wall clock, so it comes from the real UTC time.</summary>
    private static DateTime Deadline() => DateTime.UtcNow.Add(CallTimeout);

    private static RequestOp DeleteOp(string key, bool previous = false) =>
        new() { RequestDeleteRange = new DeleteRangeRequest { Key = ByteString.CopyFromUtf8(key), PrevKv = previous } };

    private static string Describe(Exception error) => error switch
    {
        RpcException rpc => $"{rpc.StatusCode}: {rpc.Status.Detail}",
        OperationCanceledException => $"no answer within {CallTimeout.TotalSeconds:0} s",
        _ => error.Message,
    };

    private string InstanceKey(string service, string instanceId) => _prefix + InstancesSection + service + "/" + instanceId;

    private string DrainKey(string service, string instanceId) => _prefix + DrainingSection + service + "/" + instanceId;

    /// <summary>The drain mark's key for an instance's key, in the same spelling.</summary>
    private string DrainKeyOf(string instanceKey) => _prefix + DrainingSection + instanceKey[(_prefix.Length + InstancesSection.Length)..];

    private async Task CallAsync(string what, Func<Task> call, CancellationToken cancellationToken) =>
        await CallAsync(what, async () =>
        {
            await call();
            return true;
        }, cancellationToken);

    /// <summary>Runs one change against etcd, turning "etcd cannot be reached" into the port's exception.</summary>
    private async Task<T> CallAsync<T>(string what, Func<Task<T>> call, CancellationToken cancellationToken)
    {
        try
        {
            return await call();
        }
        catch (RpcException error) when (error.StatusCode == StatusCode.Cancelled && cancellationToken.IsCancellationRequested)
        {
            throw new OperationCanceledException("The caller canceled the change.", error, cancellationToken);
        }
        catch (RpcException error)
        {
            throw Unavailable(what, error);
        }
        catch (OperationCanceledException error) when (!cancellationToken.IsCancellationRequested)
        {
            throw Unavailable(what, error);
        }
    }

    private RegistrationStoreUnavailableException Unavailable(string what, Exception error) =>
        new($"The etcd registration store at {_settings.Endpoints} could not {what} ({Describe(error)}).", error);

    /// <summary>
    /// The instance's key as etcd holds it: under this spelling, or else under one that differs only in case, since
    /// callers may spell a service name or host as they like and replicas may race to register one spelling each.
    /// </summary>
    private async Task<KeyValue?> FindInstanceAsync(string service, string instanceId, CancellationToken cancellationToken)
    {
        var key = InstanceKey(service, instanceId);
        var exact = await _client.GetAsync(key, deadline: Deadline(), cancellationToken: cancellationToken);
        if (exact.Kvs.Count > 0)
        {
            return exact.Kvs[0];
        }

        var all = await _client.GetRangeAsync(_prefix + InstancesSection, deadline: Deadline(), cancellationToken: cancellationToken);
        return all.Kvs
            .Where(kv => string.Equals(kv.Key.ToStringUtf8(), key, StringComparison.OrdinalIgnoreCase))
            .MaxBy(kv => kv.ModRevision);
    }

    /// <summary>Revokes a lease no key needs any more; if etcd cannot be asked, the lease simply runs out.</summary>
    private async Task RevokeQuietlyAsync(long lease, CancellationToken cancellationToken)
    {
        try
        {
            await _client.LeaseRevokeAsync(new LeaseRevokeRequest { ID = lease }, deadline: Deadline(), cancellationToken: cancellationToken);
        }
        catch (RpcException error)
        {
            LogRevokeFailed(_logger, lease, error);
        }
        catch (OperationCanceledException error) when (!cancellationToken.IsCancellationRequested)
        {
            LogRevokeFailed(_logger, lease, error);
        }
    }

    /// <summary>Reads the whole prefix, publishes it, and returns the revision it was read at.</summary>
    private async Task<long> LoadAsync(CancellationToken cancellationToken)
    {
        var response = await _client.GetRangeAsync(_prefix, deadline: Deadline(), cancellationToken: cancellationToken);
        _instances.Clear();
        _serviceSettings.Clear();
        _splits.Clear();
        _draining.Clear();
        foreach (var kv in response.Kvs)
        {
            Apply(kv.Key.ToStringUtf8(), kv.Value, kv.ModRevision);
        }

        var snapshot = BuildSnapshot();
        MarkConnected(snapshot.Instances.Count, response.Header.Revision);
        Publish(snapshot);
        return response.Header.Revision;
    }

    /// <summary>
    /// Follows the prefix from a revision on, publishing a snapshot per batch of changes. Returns when etcd cancels the
    /// watch (the revision was compacted, say) so that the caller reloads; throws when etcd cannot be reached.
    /// </summary>
    private async Task FollowAsync(long fromRevision, Action watching, CancellationToken cancellationToken)
    {
        // The raw stream rather than the client's watch manager: that one reconnects behind our back and hides
        // outages, and the state must say when this replica is routing on an old registry.
        using var watch = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        using var call = _client.GetConnection().WatchClient.Watch(cancellationToken: watch.Token);
        await call.RequestStream.WriteAsync(
            new WatchRequest
            {
                CreateRequest = new WatchCreateRequest
                {
                    Key = ByteString.CopyFromUtf8(_prefix),
                    RangeEnd = ByteString.CopyFromUtf8(EtcdClient.GetRangeEnd(_prefix)),
                    StartRevision = fromRevision,
                },
            },
            cancellationToken);

        Volatile.Write(ref _lastHeardOnWatch, _timeProvider.GetTimestamp());
        var watchdog = WatchdogAsync(call.RequestStream, watch);
        try
        {
            while (await call.ResponseStream.MoveNext(watch.Token))
            {
                Volatile.Write(ref _lastHeardOnWatch, _timeProvider.GetTimestamp());
                var response = call.ResponseStream.Current;
                if (response.Canceled || response.CompactRevision != 0)
                {
                    LogWatchCanceled(_logger, _prefix, response.CancelReason, response.CompactRevision);
                    return;
                }

                if (response.Created)
                {
                    watching();
                }

                if (response.Events.Count == 0)
                {
                    continue;
                }

                foreach (var change in response.Events)
                {
                    var key = change.Kv.Key.ToStringUtf8();
                    if (change.Type == Event.Types.EventType.Delete)
                    {
                        Forget(key);
                    }
                    else
                    {
                        Apply(key, change.Kv.Value, change.Kv.ModRevision);
                    }
                }

                Publish(BuildSnapshot());
            }

            // etcd ended the stream without an error: start over with a fresh load.
        }
        catch (Exception error) when (error is OperationCanceledException or RpcException { StatusCode: StatusCode.Cancelled }
            && watch.IsCancellationRequested && !cancellationToken.IsCancellationRequested)
        {
            throw new TimeoutException($"etcd did not answer on the watch for {WatchSilenceLimit.TotalSeconds:0} s", error);
        }
        finally
        {
            await watch.CancelAsync();
            await watchdog;
        }
    }

    /// <summary>Asks a quiet watch for progress, and gives it up (cancels it) when even that gets no answer.</summary>
    private async Task WatchdogAsync(IClientStreamWriter<WatchRequest> requests, CancellationTokenSource watch)
    {
        try
        {
            while (true)
            {
                await Task.Delay(WatchQuietPeriod, _timeProvider, watch.Token);
                var silent = _timeProvider.GetElapsedTime(Volatile.Read(ref _lastHeardOnWatch));
                if (silent >= WatchSilenceLimit)
                {
                    await watch.CancelAsync();
                    return;
                }

                if (silent >= WatchQuietPeriod)
                {
                    await requests.WriteAsync(new WatchRequest { ProgressRequest = new WatchProgressRequest() }, watch.Token);
                }
            }
        }
        catch (OperationCanceledException)
        {
            // The watch ended.
        }
        catch (RpcException)
        {
            // The stream broke; the reader sees it too, and reports it.
        }
        catch (InvalidOperationException)
        {
            // The stream already completed.
        }
    }

    private void Apply(string key, ByteString value, long modRevision)
    {
        Forget(key);
        if (!key.StartsWith(_prefix, StringComparison.Ordinal))
        {
            return;
        }

        var path = key[_prefix.Length..];
        if (path.StartsWith(InstancesSection, StringComparison.Ordinal) && SplitServiceAndId(path[InstancesSection.Length..]) is { } instance)
        {
            if (DecodeInstance(key, value, instance.Service, instance.Id) is { } registration)
            {
                _instances[key] = new Entry<InstanceRegistration>(registration, modRevision);
            }
        }
        else if (path.StartsWith(DrainingSection, StringComparison.Ordinal) && SplitServiceAndId(path[DrainingSection.Length..]) is { } drained)
        {
            _draining[key] = RegistrySnapshot.DrainKey(drained.Service, drained.Id);
        }
        else if (path.StartsWith(SettingsSection, StringComparison.Ordinal) && path[SettingsSection.Length..] is { Length: > 0 } configured && !configured.Contains('/'))
        {
            if (Decode<ServiceSettings>(key, value) is { } settings)
            {
                _serviceSettings[key] = new Entry<ServiceSettings>(settings, modRevision, configured);
            }
        }
        else if (path.StartsWith(SplitsSection, StringComparison.Ordinal) && path[SplitsSection.Length..] is { Length: > 0 } split && !split.Contains('/'))
        {
            if (Decode<Dictionary<string, int>>(key, value) is { } weights)
            {
                _splits[key] = new Entry<Dictionary<string, int>>(weights, modRevision, split);
            }
        }
        else
        {
            LogUndecodable(_logger, key, "it is not an instance, drain mark, service setting or split");
        }
    }

    private void Forget(string key)
    {
        _instances.Remove(key);
        _serviceSettings.Remove(key);
        _splits.Remove(key);
        _draining.Remove(key);
    }

    private static (string Service, string Id)? SplitServiceAndId(string rest)
    {
        var slash = rest.IndexOf('/', StringComparison.Ordinal);
        return slash > 0 && slash < rest.Length - 1 && rest.IndexOf('/', slash + 1) < 0
            ? (rest[..slash], rest[(slash + 1)..])
            : null;
    }

    private InstanceRegistration? DecodeInstance(string key, ByteString value, string service, string id)
    {
        if (Decode<InstanceRegistration>(key, value) is not { } registration)
        {
            return null;
        }

        if (registration.Service is null || registration.Host is null || registration.Scheme is null)
        {
            LogUndecodable(_logger, key, "the registration lacks its service, host or scheme");
            return null;
        }

        if (!ServiceName.Comparer.Equals(registration.Service, service) || !string.Equals(registration.Id, id, StringComparison.OrdinalIgnoreCase))
        {
            LogUndecodable(_logger, key, $"it registers {registration.Service} {registration.Id}, not what its key names");
            return null;
        }

        return registration;
    }

    private T? Decode<T>(string key, ByteString value)
        where T : class
    {
        try
        {
            var decoded = JsonSerializer.Deserialize<T>(value.Span, Json);
            if (decoded is null)
            {
                LogUndecodable(_logger, key, "its value is null");
            }

            return decoded;
        }
        catch (JsonException error)
        {
            LogUndecodable(_logger, key, error.Message);
            return null;
        }
    }

    /// <summary>
    /// The snapshot of what the prefix holds. Keys that differ only in case name one instance or service (two replicas
    /// can race to register both spellings); the latest write wins, so that the registry never sees a duplicate.
    /// </summary>
    private RegistrySnapshot BuildSnapshot()
    {
        var instances = _instances.Values
            .GroupBy(entry => RegistrySnapshot.DrainKey(entry.Value.Service, entry.Value.Id), StringComparer.OrdinalIgnoreCase)
            .Select(group => group.MaxBy(entry => entry.ModRevision)!.Value)
            .OrderBy(registration => registration.Service, StringComparer.OrdinalIgnoreCase)
            .ThenBy(registration => registration.Id, StringComparer.OrdinalIgnoreCase)
            .ToList();
        var settings = new Dictionary<string, ServiceSettings>(StringComparer.OrdinalIgnoreCase);
        foreach (var entry in _serviceSettings.Values.OrderBy(entry => entry.ModRevision))
        {
            settings[entry.Service!] = entry.Value;
        }

        var splits = new Dictionary<string, IReadOnlyDictionary<string, int>>(StringComparer.OrdinalIgnoreCase);
        foreach (var entry in _splits.Values.OrderBy(entry => entry.ModRevision))
        {
            splits[entry.Service!] = entry.Value;
        }

        var draining = new HashSet<string>(_draining.Values, StringComparer.OrdinalIgnoreCase);
        return new RegistrySnapshot(instances, settings, draining) { Splits = splits };
    }

    private void Publish(RegistrySnapshot snapshot)
    {
        try
        {
            SnapshotChanged?.Invoke(snapshot);
        }
        catch (Exception error)
        {
            // A subscriber's bug is not an etcd outage: the watch goes on.
            LogSubscriberFailed(_logger, error);
        }
    }

    private void MarkConnected(int instances, long revision)
    {
        var previous = _state;
        if (previous.Connected)
        {
            return;
        }

        var now = _timeProvider.GetUtcNow();
        _state = new StoreState("etcd", Connected: true, Since: now, LastError: null);
        if (!_everConnected)
        {
            _everConnected = true;
            LogConnected(_logger, _settings.Endpoints, _prefix, instances, revision);
        }
        else
        {
            var down = previous.Since is { } since ? (now - since).TotalSeconds : 0;
            LogReconnected(_logger, _settings.Endpoints, down, instances, revision);
        }
    }

    private void MarkDisconnected(Exception error, TimeSpan retryDelay)
    {
        var cause = Describe(error);
        var previous = _state;
        if (previous.Connected || previous.Since is null)
        {
            // The outage is logged once, when it starts; the retries that follow are only debug noise.
            _state = new StoreState("etcd", Connected: false, Since: _timeProvider.GetUtcNow(), LastError: cause);
            if (error is RpcException or OperationCanceledException or TimeoutException)
            {
                LogOutage(_logger, _settings.Endpoints, cause);
            }
            else
            {
                LogFailure(_logger, _settings.Endpoints, error);
            }
        }
        else
        {
            _state = previous with { LastError = cause };
            LogStillDown(_logger, _settings.Endpoints, cause, retryDelay.TotalMilliseconds);
        }
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Registration store: etcd at {Endpoints}, prefix {Prefix}: {Instances} instances at revision {Revision}")]
    private static partial void LogConnected(ILogger logger, string endpoints, string prefix, int instances, long revision);

    [LoggerMessage(Level = LogLevel.Information, Message = "etcd at {Endpoints} answers again after {DownSeconds:0.#} s; reloaded {Instances} instances at revision {Revision}")]
    private static partial void LogReconnected(ILogger logger, string endpoints, double downSeconds, int instances, long revision);

    [LoggerMessage(Level = LogLevel.Warning, Message = "etcd at {Endpoints} cannot be reached ({Cause}); routing goes on with the last registry seen while retrying")]
    private static partial void LogOutage(ILogger logger, string endpoints, string cause);

    [LoggerMessage(Level = LogLevel.Error, Message = "Following etcd at {Endpoints} failed; routing goes on with the last registry seen while retrying")]
    private static partial void LogFailure(ILogger logger, string endpoints, Exception error);

    [LoggerMessage(Level = LogLevel.Debug, Message = "etcd at {Endpoints} still cannot be reached ({Cause}); next attempt in {DelayMs} ms")]
    private static partial void LogStillDown(ILogger logger, string endpoints, string cause, double delayMs);

    [LoggerMessage(Level = LogLevel.Information, Message = "etcd canceled the watch on {Prefix} ({Reason}, compacted to revision {CompactRevision}); reloading")]
    private static partial void LogWatchCanceled(ILogger logger, string prefix, string reason, long compactRevision);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Ignoring {Key} in etcd: {Problem}")]
    private static partial void LogUndecodable(ILogger logger, string key, string problem);

    [LoggerMessage(Level = LogLevel.Error, Message = "A registry snapshot subscriber failed")]
    private static partial void LogSubscriberFailed(ILogger logger, Exception error);

    [LoggerMessage(Level = LogLevel.Debug, Message = "Could not revoke etcd lease {Lease}; it runs out by itself")]
    private static partial void LogRevokeFailed(ILogger logger, long lease, Exception error);

    /// <summary>A decoded value with the revision it was written at (and, for settings, the service its key names).</summary>
    private sealed record Entry<T>(T Value, long ModRevision, string? Service = null);
}
