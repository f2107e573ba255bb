using System.Collections.Concurrent;
using dotnet_etcd;
using Etcdserverpb;
using Gateway.IntegrationTests.Support;
using Google.Protobuf;
using Grpc.Core;
using Mvccpb;

namespace Gateway.IntegrationTests.Scaleout;

/// <summary>
/// Smoke tests of the etcd harness and of the dotnet-etcd calls the shared registry is built on: each starts its own
/// etcd (<see cref="EtcdServer"/>) on free loopback ports and kills it when done.
/// </summary>
public sealed class EtcdServerTests
{
    private static readonly TimeSpan Deadline = TimeSpan.FromSeconds(15);

    [Fact]
    public async Task PutAsync_ThenGetAndGetRange_ReadsValuesAtTheirRevision()
    {
        await using var etcd = await EtcdServer.StartNewAsync();
        using var client = new EtcdClient(etcd.ClientUrl);

        var put = await client.PutAsync("/gw/services/a", "one", deadline: CallDeadline());
        await client.PutAsync("/gw/services/b", "two", deadline: CallDeadline());
        await client.PutAsync("/gw/servicesX", "not under the prefix", deadline: CallDeadline());

        var get = await client.GetAsync("/gw/services/a", deadline: CallDeadline());
        get.Kvs.Single().Value.ToStringUtf8().ShouldBe("one");
        get.Kvs.Single().ModRevision.ShouldBe(put.Header.Revision);

        var range = await client.GetRangeAsync("/gw/services/", deadline: CallDeadline());
        range.Kvs.Select(kv => kv.Key.ToStringUtf8()).ShouldBe(["/gw/services/a", "/gw/services/b"]);
        range.Header.Revision.ShouldBe(put.Header.Revision + 2);
    }

    [Fact]
    public async Task LeaseGrantAsync_KeyPutWithLease_VanishesAfterTtl()
    {
        await using var etcd = await EtcdServer.StartNewAsync();
        using var client = new EtcdClient(etcd.ClientUrl);

        var lease = await client.LeaseGrantAsync(new LeaseGrantRequest { TTL = 2 }, deadline: CallDeadline());
        await client.PutAsync(
            new PutRequest { Key = ByteString.CopyFromUtf8("/gw/leased"), Value = ByteString.CopyFromUtf8("v"), Lease = lease.ID },
            deadline: CallDeadline());
        (await client.GetAsync("/gw/leased", deadline: CallDeadline())).Kvs.Single().Lease.ShouldBe(lease.ID);

        // One keep-alive, as a registration's heartbeat sends: etcd answers with the renewed TTL.
        LeaseKeepAliveResponse? renewed = null;
        using (var keepAlive = new CancellationTokenSource(Deadline))
        {
            await client.LeaseKeepAlive(new LeaseKeepAliveRequest { ID = lease.ID }, response => renewed = response, keepAlive.Token);
        }

        renewed.ShouldNotBeNull().TTL.ShouldBe(2);

        await Eventually.TrueAsync(
            async () => (await client.GetAsync("/gw/leased", deadline: CallDeadline())).Count == 0,
            Deadline,
            "the key to expire with its lease");
    }

    [Fact]
    public async Task WatchRangeAsync_PutUnderPrefix_DeliversEvent()
    {
        await using var etcd = await EtcdServer.StartNewAsync();
        using var client = new EtcdClient(etcd.ClientUrl);
        var events = new ConcurrentQueue<WatchEvent>();
        var watches = client.GetWatchManager();

        var from = (await client.GetRangeAsync("/gw/services/", deadline: CallDeadline())).Header.Revision + 1;
        var watchId = await watches.WatchRangeAsync("/gw/services/", from, events.Enqueue, deadline: CallDeadline());
        try
        {
            await client.PutAsync("/gw/other", "outside the prefix", deadline: CallDeadline());
            await client.PutAsync("/gw/services/a", "one", deadline: CallDeadline());

            await Eventually.TrueAsync(() => !events.IsEmpty, Deadline, "the put to reach the watch");
            var seen = events.ShouldHaveSingleItem();
            seen.Type.ShouldBe(Event.Types.EventType.Put);
            seen.Key.ShouldBe("/gw/services/a");
            seen.Value.ShouldBe("one");
        }
        finally
        {
            watches.CancelWatch(watchId);
        }
    }

    [Fact]
    public async Task StopAsync_ThenStartAsync_ServesSameDataOnSamePort()
    {
        await using var etcd = await EtcdServer.StartNewAsync();
        var clientUrl = etcd.ClientUrl;
        using var client = new EtcdClient(clientUrl);
        await client.PutAsync("/gw/services/a", "one", deadline: CallDeadline());

        await etcd.StopAsync();

        etcd.IsRunning.ShouldBeFalse();
        (await TryGetValueAsync(client, "/gw/services/a")).ShouldBeNull();

        await etcd.StartAsync();

        etcd.ClientUrl.ShouldBe(clientUrl);
        string? value = null;
        await Eventually.TrueAsync(
            async () =>
            {
                value = await TryGetValueAsync(client, "/gw/services/a");
                return value is not null;
            },
            Deadline,
            "the client to reconnect to the restarted etcd");
        value.ShouldBe("one");
    }

    /// <summary>A per-call gRPC deadline: dotnet-etcd wants it as a UTC <see cref="DateTime"/>.</summary>
    private static DateTime CallDeadline() => DateTime.UtcNow.AddSeconds(5);

    /// <summary>
    /// The key's value, or null while etcd cannot be reached. An outage surfaces as RpcException Unavailable (connection
    /// refused; the channel reconnects with a backoff) or, when the deadline passes first, as DeadlineExceeded or an
    /// OperationCanceledException.
    /// </summary>
    private static async Task<string?> TryGetValueAsync(EtcdClient client, string key)
    {
        try
        {
            var response = await client.GetAsync(key, deadline: DateTime.UtcNow.AddSeconds(1));
            return response.Kvs.Single().Value.ToStringUtf8();
        }
        catch (RpcException exception) when (exception.StatusCode is StatusCode.Unavailable or StatusCode.DeadlineExceeded)
        {
            return null;
        }
        catch (OperationCanceledException)
        {
            return null;
        }
    }
}
