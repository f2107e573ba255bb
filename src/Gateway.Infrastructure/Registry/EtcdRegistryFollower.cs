using dotnet_etcd;
using Etcdserverpb;
using Gateway.Application.Registration;
using Google.Protobuf;
using Grpc.Core;
using Microsoft.Extensions.Logging;
using Mvccpb;

namespace Gateway.Infrastructure.Registry;

/// <summary>
/// Loads the fleet's prefix, then watches it, publishing a snapshot per change; rides out etcd's outages, retrying
/// with backoff, and says in <see cref="State"/> whether it is following.
/// </summary>
/// <remarks>
/// While etcd cannot be reached the last snapshot stands (an outage never produces an empty registry) and the loop
/// retries; when etcd answers again it reloads the whole prefix and watches on from that revision.
/// </remarks>
internal sealed class EtcdRegistryFollower
{
    private static readonly TimeSpan FirstRetryDelay = TimeSpan.FromMilliseconds(500);
    private static readonly TimeSpan LongestRetryDelay = TimeSpan.FromSeconds(10);

    /// <summary>A watch silent this long is asked for a progress notification, which etcd answers at once.</summary>
    private static readonly TimeSpan WatchQuietPeriod = TimeSpan.FromSeconds(5);

    /// <summary>
    /// A watch silent this long, progress requests included, is given up as a dead connection: a network partition can
    /// leave the TCP stream open without a word for much longer than the channel's own keep-alive pings take to notice.
    /// </summary>
    private static readonly TimeSpan WatchSilenceLimit = TimeSpan.FromSeconds(15);

    private readonly EtcdClient _client;
    private readonly EtcdKeys _keys;
    private readonly string _endpoints;
    private readonly RegistrySnapshotFeed _feed;
    private readonly TimeProvider _timeProvider;
    private readonly ILogger _logger;

    // Only RunAsync's loop touches the mirror.
    private readonly EtcdRegistryMirror _mirror;

    private volatile StoreState _state = new("etcd", Connected: false, Since: null, LastError: null);
    private long _lastHeardOnWatch;
    private bool _everConnected;

    public EtcdRegistryFollower(
        EtcdClient client, EtcdKeys keys, string endpoints, RegistrySnapshotFeed feed, TimeProvider timeProvider, ILogger logger)
    {
        _client = client;
        _keys = keys;
        _endpoints = endpoints;
        _feed = feed;
        _timeProvider = timeProvider;
        _logger = logger;
        _mirror = new EtcdRegistryMirror(keys, logger);
    }

    public StoreState State => _state;

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

    /// <summary>Reads the whole prefix, publishes it, and returns the revision it was read at.</summary>
    private async Task<long> LoadAsync(CancellationToken cancellationToken)
    {
        var response = await _client.GetRangeAsync(_keys.Prefix, deadline: EtcdCalls.Deadline(), cancellationToken: cancellationToken);
        var now = _timeProvider.GetUtcNow();
        _mirror.Clear();
        foreach (var kv in response.Kvs)
        {
            _mirror.Put(kv.Key.ToStringUtf8(), kv.Value.Span, kv.ModRevision, kv.Lease, now);
        }

        // What left while this replica was not watching went unseen: a load reports no expiries.
        var snapshot = _mirror.EndBatch(now);
        MarkConnected(snapshot.Instances.Count, response.Header.Revision);
        _feed.Publish(snapshot);
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
                    Key = ByteString.CopyFromUtf8(_keys.Prefix),
                    RangeEnd = ByteString.CopyFromUtf8(EtcdClient.GetRangeEnd(_keys.Prefix)),
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
                    EtcdRegistrationStore.Log.WatchCanceled(_logger, _keys.Prefix, response.CancelReason, response.CompactRevision);
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

                var now = _timeProvider.GetUtcNow();
                foreach (var change in response.Events)
                {
                    var key = change.Kv.Key.ToStringUtf8();
                    if (change.Type == Event.Types.EventType.Delete)
                    {
                        _mirror.Delete(key);
                    }
                    else
                    {
                        _mirror.Put(key, change.Kv.Value.Span, change.Kv.ModRevision, change.Kv.Lease, now);
                    }
                }

                var snapshot = _mirror.EndBatch(now);
                foreach (var expiry in snapshot.Expired)
                {
                    EtcdRegistrationStore.Log.LeaseExpired(
                        _logger, expiry.Service, expiry.InstanceId, expiry.TtlSeconds, expiry.RegisteredFor.TotalSeconds);
                }

                _feed.Publish(snapshot);
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
            EtcdRegistrationStore.Log.Connected(_logger, _endpoints, _keys.Prefix, instances, revision);
        }
        else
        {
            var down = previous.Since is { } since ? (now - since).TotalSeconds : 0;
            EtcdRegistrationStore.Log.Reconnected(_logger, _endpoints, down, instances, revision);
        }
    }

    private void MarkDisconnected(Exception error, TimeSpan retryDelay)
    {
        var cause = EtcdCalls.Describe(error);
        var previous = _state;
        if (previous.Connected || previous.Since is null)
        {
            // The outage is logged once, when it starts; the retries that follow are only debug noise.
            _state = new StoreState("etcd", Connected: false, Since: _timeProvider.GetUtcNow(), LastError: cause);
            if (error is RpcException or OperationCanceledException or TimeoutException)
            {
                EtcdRegistrationStore.Log.Outage(_logger, _endpoints, cause);
            }
            else
            {
                EtcdRegistrationStore.Log.Failure(_logger, _endpoints, error);
            }
        }
        else
        {
            _state = previous with { LastError = cause };
            EtcdRegistrationStore.Log.StillDown(_logger, _endpoints, cause, retryDelay.TotalMilliseconds);
        }
    }
}
