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
/// Writes go straight to etcd and come back to every replica, this one included, through the watch: this class makes
/// the writes, <see cref="EtcdKeys"/> lays out the keys, <see cref="EtcdRegistryFollower"/> loads and watches them into
/// an <see cref="EtcdRegistryMirror"/>, and <see cref="RegistrySnapshotFeed"/> hands each snapshot on.
/// </remarks>
internal sealed partial class EtcdRegistrationStore : IRegistrationStore, IDisposable
{
    private static readonly JsonSerializerOptions Json = EtcdRegistryMirror.Json;

    private readonly EtcdStoreSettings _settings;
    private readonly TimeProvider _timeProvider;
    private readonly ILogger<EtcdRegistrationStore> _logger;
    private readonly EtcdClient _client;
    private readonly EtcdKeys _keys;
    private readonly RegistrySnapshotFeed _feed;
    private readonly EtcdRegistryFollower _follower;

    public EtcdRegistrationStore(EtcdStoreSettings settings, TimeProvider timeProvider, ILogger<EtcdRegistrationStore> logger)
    {
        ArgumentNullException.ThrowIfNull(settings);
        ArgumentException.ThrowIfNullOrWhiteSpace(settings.Endpoints);
        _keys = new EtcdKeys(settings.Prefix);
        _settings = settings;
        _timeProvider = timeProvider;
        _logger = logger;

        // The channel's default reconnect backoff grows to two minutes; a replica should find etcd again within a second
        // or so of its return, so the backoff is kept short (connection attempts to a down loopback port are cheap).
        _client = new EtcdClient(settings.Endpoints, configureChannelOptions: options =>
        {
            options.InitialReconnectBackoff = TimeSpan.FromMilliseconds(100);
            options.MaxReconnectBackoff = TimeSpan.FromSeconds(1);
        });
        _feed = new RegistrySnapshotFeed(logger);
        _follower = new EtcdRegistryFollower(_client, _keys, settings.Endpoints, _feed, timeProvider, logger);
    }

    public StoreState State => _follower.State;

    public RegistrySnapshot Current => _feed.Current;

    public event Action<RegistrySnapshot>? SnapshotChanged
    {
        add => _feed.Subscribe(value);
        remove => _feed.Unsubscribe(value);
    }

    public Task RunAsync(CancellationToken cancellationToken) => _follower.RunAsync(cancellationToken);

    public async Task RegisterAsync(InstanceRegistration registration, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(registration);
        var key = _keys.Instance(registration.Service, registration.Id);
        var drainKey = _keys.Drain(registration.Service, registration.Id);
        var json = JsonSerializer.Serialize(registration, Json);
        await CallAsync($"register {registration.Service} {registration.Id}", async () =>
        {
            var existing = await FindInstanceAsync(registration.Service, registration.Id, cancellationToken);
            var lease = registration.TtlSeconds is { } ttl
                ? (await _client.LeaseGrantAsync(new LeaseGrantRequest { TTL = ttl }, deadline: EtcdCalls.Deadline(), cancellationToken: cancellationToken)).ID
                : 0;

            // A new lease every time: the TTL may have changed. The put moves the key onto it; the old lease, and with
            // it an old drain mark, is then let go. Re-registering therefore clears a drain: the instance came back.
            var transaction = new TxnRequest();
            if (existing?.Key.ToStringUtf8() is { } existingKey && existingKey != key)
            {
                // Known under another spelling (hosts and service names compare case-insensitively): the new one wins.
                transaction.Success.Add(DeleteOp(existingKey));
                transaction.Success.Add(DeleteOp(_keys.DrainOf(existingKey)));
            }

            transaction.Success.Add(DeleteOp(drainKey));
            transaction.Success.Add(new RequestOp
            {
                RequestPut = new PutRequest { Key = ByteString.CopyFromUtf8(key), Value = ByteString.CopyFromUtf8(json), Lease = lease },
            });
            await _client.TransactionAsync(transaction, deadline: EtcdCalls.Deadline(), cancellationToken: cancellationToken);
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
            using var call = _client.GetConnection().LeaseClient.LeaseKeepAlive(deadline: EtcdCalls.Deadline(), cancellationToken: cancellationToken);
            await call.RequestStream.WriteAsync(new LeaseKeepAliveRequest { ID = existing.Lease }, cancellationToken);
            await call.RequestStream.CompleteAsync();
            return await call.ResponseStream.MoveNext(cancellationToken) && call.ResponseStream.Current.TTL > 0;
        }, cancellationToken);

    public Task<bool> RemoveAsync(string service, string instanceId, CancellationToken cancellationToken) =>
        CallAsync($"remove {service} {instanceId}", async () =>
        {
            var existing = await FindInstanceAsync(service, instanceId, cancellationToken);
            var key = existing?.Key.ToStringUtf8() ?? _keys.Instance(service, instanceId);
            var transaction = new TxnRequest();
            transaction.Success.Add(DeleteOp(key, previous: true));
            transaction.Success.Add(DeleteOp(_keys.DrainOf(key)));
            if (existing is { Lease: not 0 })
            {
                // On the instance's lease, and so gone with it: every replica reads the deletion as a removal, not an expiry.
                transaction.Success.Add(new RequestOp
                {
                    RequestPut = new PutRequest { Key = ByteString.CopyFromUtf8(_keys.RemovalOf(key)), Value = ByteString.CopyFromUtf8("1"), Lease = existing.Lease },
                });
            }

            TxnResponse response;
            try
            {
                response = await _client.TransactionAsync(transaction, deadline: EtcdCalls.Deadline(), cancellationToken: cancellationToken);
            }
            catch (RpcException error) when (error.StatusCode == StatusCode.NotFound)
            {
                // The lease ran out since the instance was read, and took the instance with it.
                return false;
            }

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
            var drainKey = existing is null ? _keys.Drain(service, instanceId) : _keys.DrainOf(existing.Key.ToStringUtf8());
            var put = new PutRequest { Key = ByteString.CopyFromUtf8(drainKey), Value = ByteString.CopyFromUtf8("1"), Lease = existing?.Lease ?? 0 };
            try
            {
                await _client.PutAsync(put, deadline: EtcdCalls.Deadline(), cancellationToken: cancellationToken);
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
            () => _client.PutAsync(_keys.Settings(service), json, deadline: EtcdCalls.Deadline(), cancellationToken: cancellationToken),
            cancellationToken);
    }

    public Task SetSplitAsync(string service, IReadOnlyDictionary<string, int> weights, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(weights);
        var json = JsonSerializer.Serialize(weights, Json);
        return CallAsync(
            $"set the split of {service}",
            () => _client.PutAsync(_keys.Split(service), json, deadline: EtcdCalls.Deadline(), cancellationToken: cancellationToken),
            cancellationToken);
    }

    public Task SetOverrideAsync(string service, string instanceId, InstanceOverride decision, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(decision);
        var json = JsonSerializer.Serialize(decision, Json);
        return CallAsync($"override {service} {instanceId}", async () =>
        {
            // A timed override is on a lease of what is left of it (rounded up, so etcd never ends it before the
            // replicas' own timers do): a replica that starts later, or missed the lift, still sees it end.
            var lease = decision.Until - _timeProvider.GetUtcNow() is { } left
                ? (await _client.LeaseGrantAsync(
                    new LeaseGrantRequest { TTL = (long)Math.Ceiling(Math.Max(left.TotalSeconds, 1)) },
                    deadline: EtcdCalls.Deadline(),
                    cancellationToken: cancellationToken)).ID
                : 0;
            var put = new PutRequest
            {
                Key = ByteString.CopyFromUtf8(_keys.Override(service, instanceId)),
                Value = ByteString.CopyFromUtf8(json),
                Lease = lease,
                PrevKv = true,
            };
            var response = await _client.PutAsync(put, deadline: EtcdCalls.Deadline(), cancellationToken: cancellationToken);
            if (response.PrevKv is { Lease: not 0 and var previous } && previous != lease)
            {
                await RevokeQuietlyAsync(previous, cancellationToken);
            }
        }, cancellationToken);
    }

    public Task<bool> LiftOverrideAsync(string service, string instanceId, CancellationToken cancellationToken) =>
        CallAsync($"lift the override of {service} {instanceId}", async () =>
        {
            var response = await _client.DeleteAsync(
                new DeleteRangeRequest { Key = ByteString.CopyFromUtf8(_keys.Override(service, instanceId)), PrevKv = true },
                deadline: EtcdCalls.Deadline(),
                cancellationToken: cancellationToken);
            if (response.PrevKvs.Count > 0 && response.PrevKvs[0].Lease is var lease and not 0)
            {
                await RevokeQuietlyAsync(lease, cancellationToken);
            }

            return response.Deleted > 0;
        }, cancellationToken);

    public void Dispose() => _client.Dispose();

    private static RequestOp DeleteOp(string key, bool previous = false) =>
        new() { RequestDeleteRange = new DeleteRangeRequest { Key = ByteString.CopyFromUtf8(key), PrevKv = previous } };

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
        new($"The etcd registration store at {_settings.Endpoints} could not {what} ({EtcdCalls.Describe(error)}).", error);

    /// <summary>
    /// The instance's key as etcd holds it: under this spelling, or else under one that differs only in case, since
    /// callers may spell a service name or host as they like and replicas may race to register one spelling each.
    /// </summary>
    private async Task<KeyValue?> FindInstanceAsync(string service, string instanceId, CancellationToken cancellationToken)
    {
        var key = _keys.Instance(service, instanceId);
        var exact = await _client.GetAsync(key, deadline: EtcdCalls.Deadline(), cancellationToken: cancellationToken);
        if (exact.Kvs.Count > 0)
        {
            return exact.Kvs[0];
        }

        var all = await _client.GetRangeAsync(_keys.Instances, deadline: EtcdCalls.Deadline(), cancellationToken: cancellationToken);
        return all.Kvs
            .Where(kv => string.Equals(kv.Key.ToStringUtf8(), key, StringComparison.OrdinalIgnoreCase))
            .MaxBy(kv => kv.ModRevision);
    }

    /// <summary>Revokes a lease no key needs any more; if etcd cannot be asked, the lease simply runs out.</summary>
    private async Task RevokeQuietlyAsync(long lease, CancellationToken cancellationToken)
    {
        try
        {
            await _client.LeaseRevokeAsync(new LeaseRevokeRequest { ID = lease }, deadline: EtcdCalls.Deadline(), cancellationToken: cancellationToken);
        }
        catch (RpcException error)
        {
            Log.RevokeFailed(_logger, lease, error);
        }
        catch (OperationCanceledException error) when (!cancellationToken.IsCancellationRequested)
        {
            Log.RevokeFailed(_logger, lease, error);
        }
    }
}
