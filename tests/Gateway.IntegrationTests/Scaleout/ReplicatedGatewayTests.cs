using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;
using Gateway.IntegrationTests.Support;
using Microsoft.Extensions.DependencyInjection;
using Serilog.Core;
using Serilog.Events;
using Xunit.Abstractions;

namespace Gateway.IntegrationTests.Scaleout;

/// <summary>
/// Two real gateway replicas (two hosts of the real Program, on Kestrel) sharing one real etcd through
/// <c>REGISTRY_STORE=etcd</c>, with real backends: what one replica is told through the admin API, the other routes.
/// Every test has a prefix of its own on the class's etcd, except the outage test, which stops and starts its own.
/// </summary>
public sealed partial class ReplicatedGatewayTests(ReplicatedGatewayTests.SharedEtcd shared, ITestOutputHelper output)
    : IClassFixture<ReplicatedGatewayTests.SharedEtcd>
{
    private const string AdminKey = "replicated-gateway-test-admin-key";

    /// <summary>The lease of the heartbeat test, in seconds: six heartbeats' worth, so a slow one on a busy machine is no loss.</summary>
    private const int Ttl = 3;

    /// <summary>
    /// How long a change may take to show before a test gives up on it: generous, for a loaded CI machine. The tests
    /// assert that changes arrive, not how fast; the propagation times they measure go to the test output.
    /// </summary>
    private static readonly TimeSpan Deadline = TimeSpan.FromSeconds(30);

    /// <summary>How long two replicas may take to start and load the prefix from etcd.</summary>
    private static readonly TimeSpan StartDeadline = TimeSpan.FromSeconds(15);

    /// <summary>Long enough for the stores' retry backoff and the channels' reconnect after etcd returns.</summary>
    private static readonly TimeSpan ReconnectDeadline = TimeSpan.FromSeconds(30);

    /// <summary>Polls for propagation closely, so the measured times are not mostly the poll interval.</summary>
    private static readonly TimeSpan FastPollInterval = TimeSpan.FromMilliseconds(5);

    [Fact]
    public async Task Register_ThroughReplicaA_IsRoutedByReplicaB()
    {
        await using var backend = await TestBackend.StartAsync("x");
        await using var replicas = await Replicas.StartAsync(shared.Etcd.ClientUrl, UniquePrefix());

        using (var response = await RegisterAsync(replicas.A, "orders", backend))
        {
            response.StatusCode.ShouldBe(HttpStatusCode.Created);
        }

        var registered = Stopwatch.StartNew();
        var routedAfter = await TimeUntilRoutedAsync(replicas.B, "orders", backend, registered);

        output.WriteLine($"Registered through A, first request routed by B after {routedAfter.TotalMilliseconds:0.0} ms.");
        (await InstancesAsync(replicas.A, "orders")).ShouldBe([new InstanceSummary(Id(backend), Dynamic: true, Draining: false)]);
        (await InstancesAsync(replicas.B, "orders")).ShouldBe([new InstanceSummary(Id(backend), Dynamic: true, Draining: false)]);
    }

    [Fact]
    public async Task Heartbeat_AlternatelyThroughBothReplicas_KeepsTheInstancePastTwiceItsTtl_ThenSilenceRemovesItFromBoth()
    {
        await using var backend = await TestBackend.StartAsync("x");
        await using var replicas = await Replicas.StartAsync(shared.Etcd.ClientUrl, UniquePrefix());
        using (var response = await RegisterAsync(replicas.A, "orders", backend, ttlSeconds: Ttl))
        {
            response.StatusCode.ShouldBe(HttpStatusCode.Created);
        }

        await UntilRoutedAsync(replicas.A, "orders", backend);
        await UntilRoutedAsync(replicas.B, "orders", backend);

        // Heartbeats at a sixth of the TTL for more than twice the TTL, alternately through A and B, as an instance
        // behind a load balancer would send them; both replicas route to it all along. How many fit in that time
        // depends on the machine's load, so only their alternation is asserted.
        var lastHeartbeat = Stopwatch.StartNew();
        var heartbeats = 0;
        var keptFor = Stopwatch.StartNew();
        using (var cadence = new PeriodicTimer(TimeSpan.FromMilliseconds(500)))
        {
            while (keptFor.Elapsed < TimeSpan.FromSeconds(2 * Ttl + 0.5) && await cadence.WaitForNextTickAsync())
            {
                var through = heartbeats++ % 2 == 0 ? replicas.A : replicas.B;
                using (var heartbeat = await AdminAsync(through, HttpMethod.Put, $"/admin/services/orders/instances/{Id(backend)}/heartbeat"))
                {
                    heartbeat.StatusCode.ShouldBe(HttpStatusCode.OK, $"heartbeat {heartbeats} through {through.Name}");
                }

                lastHeartbeat.Restart();
                (await replicas.A.Client.AnsweredByAsync("/orders/kept")).ShouldBe("x");
                (await replicas.B.Client.AnsweredByAsync("/orders/kept")).ShouldBe("x");
            }
        }

        heartbeats.ShouldBeGreaterThanOrEqualTo(2, "at least one through each replica");

        // Silence: etcd lets the lease run out and every replica drops the instance, and with it the dynamic service.
        await Eventually.TrueAsync(
            async () => !await HasServiceAsync(replicas.A, "orders") && !await HasServiceAsync(replicas.B, "orders"),
            Deadline,
            "the lease to run out and the instance to leave both replicas");
        var goneAfter = lastHeartbeat.Elapsed;
        output.WriteLine($"Instance gone from both replicas {goneAfter.TotalMilliseconds:0} ms after its last heartbeat (TTL {Ttl} s).");
        goneAfter.ShouldBeGreaterThan(TimeSpan.FromSeconds(Ttl - 0.5), "the instance must not leave before its TTL");
        using (var proxied = await replicas.B.Client.GetAsync("/orders/gone"))
        {
            proxied.StatusCode.ShouldBe(HttpStatusCode.NotFound);
        }

        using var late = await AdminAsync(replicas.B, HttpMethod.Put, $"/admin/services/orders/instances/{Id(backend)}/heartbeat");
        late.StatusCode.ShouldBe(HttpStatusCode.NotFound);
    }

    [Fact]
    public async Task Delete_ThroughReplicaB_RemovesTheInstanceFromReplicaA()
    {
        await using var x = await TestBackend.StartAsync("x");
        await using var y = await TestBackend.StartAsync("y");
        await using var replicas = await Replicas.StartAsync(shared.Etcd.ClientUrl, UniquePrefix());
        await RegisteredAsync(replicas.A, "orders", x);
        await RegisteredAsync(replicas.A, "orders", y);
        await UntilInstancesAsync(replicas.A, "orders", x, y);
        await UntilInstancesAsync(replicas.B, "orders", x, y);

        using (var response = await AdminAsync(replicas.B, HttpMethod.Delete, $"/admin/services/orders/instances/{Id(x)}"))
        {
            response.StatusCode.ShouldBe(HttpStatusCode.NoContent);
        }

        await UntilInstancesAsync(replicas.A, "orders", y);
        await UntilInstancesAsync(replicas.B, "orders", y);
        var before = x.Proxied().Count;
        (await replicas.A.Client.AnsweredByAsync("/orders/after-delete", 4)).ShouldBe(["y", "y", "y", "y"]);
        (await replicas.B.Client.AnsweredByAsync("/orders/after-delete", 4)).ShouldBe(["y", "y", "y", "y"]);
        x.Proxied().Count.ShouldBe(before);
    }

    [Fact]
    public async Task Override_ThroughReplicaA_KeepsTheInstanceOutOfBoth_UntilRestoredThroughB_AndATimedOneEndsOnBoth()
    {
        await using var x = await TestBackend.StartAsync("x");
        await using var y = await TestBackend.StartAsync("y");
        await using var replicas = await Replicas.StartAsync(shared.Etcd.ClientUrl, UniquePrefix());
        await RegisteredAsync(replicas.A, "orders", x);
        await RegisteredAsync(replicas.A, "orders", y);
        await UntilInstancesAsync(replicas.B, "orders", x, y);

        using (var response = await AdminAsync(
            replicas.A, HttpMethod.Post, $"/admin/services/orders/instances/{Id(x)}/override", new { @out = true, minutes = 0, reason = "kernel upgrade" }))
        {
            response.StatusCode.ShouldBe(HttpStatusCode.OK);
        }

        await UntilOverrideAsync(replicas.B, "orders", x, "kernel upgrade");
        (await replicas.B.Client.AnsweredByAsync("/orders/while-out", 4)).ShouldBe(["y", "y", "y", "y"]);
        (await replicas.A.Client.AnsweredByAsync("/orders/while-out", 4)).ShouldBe(["y", "y", "y", "y"]);

        using (var response = await AdminAsync(replicas.B, HttpMethod.Delete, $"/admin/services/orders/instances/{Id(x)}/override"))
        {
            response.StatusCode.ShouldBe(HttpStatusCode.NoContent);
        }

        await UntilOverrideAsync(replicas.A, "orders", x, null);
        await UntilRoutedAsync(replicas.A, "orders", x);

        // Three seconds: the replicas end it by their own clocks, and etcd drops its key with the lease.
        using (var response = await AdminAsync(
            replicas.B, HttpMethod.Post, $"/admin/services/orders/instances/{Id(y)}/override", new { @out = true, minutes = 0.05, reason = "short" }))
        {
            response.StatusCode.ShouldBe(HttpStatusCode.OK);
        }

        foreach (var replica in replicas.Both)
        {
            await UntilOverrideAsync(replica, "orders", y, "short", "the timed override to reach replica " + replica.Name);
        }

        foreach (var replica in replicas.Both)
        {
            await UntilOverrideAsync(replica, "orders", y, null, "the timed override to end on replica " + replica.Name);
            await UntilRoutedAsync(replica, "orders", y);
        }
    }

    [Fact]
    public async Task Drain_ThroughReplicaA_NeitherReplicaSendsNewRequestsAndTheInstanceLeavesBothOnceItsRequestEnds()
    {
        await using var x = await TestBackend.StartAsync("x");
        await using var y = await TestBackend.StartAsync("y");
        var release = x.HoldRequests();
        await using var replicas = await Replicas.StartAsync(shared.Etcd.ClientUrl, UniquePrefix());
        await RegisteredAsync(replicas.A, "pool", x);
        await UntilInstancesAsync(replicas.A, "pool", x);

        // The request in flight goes through A, the replica that will take the drain and wait for it.
        var held = replicas.A.Client.GetAsync("/pool/held");
        await Eventually.TrueAsync(() => x.Proxied().Count == 1, Deadline, "the held request to reach x");
        await RegisteredAsync(replicas.B, "pool", y);
        await UntilInstancesAsync(replicas.A, "pool", x, y);
        await UntilInstancesAsync(replicas.B, "pool", x, y);

        using (var drain = await AdminAsync(replicas.A, HttpMethod.Post, $"/admin/services/pool/instances/{Id(x)}/drain"))
        {
            drain.StatusCode.ShouldBe(HttpStatusCode.Accepted);
        }

        // A stops at once; B once the drain mark reaches it through etcd.
        InstanceSummary[] drained = [new(Id(x), Dynamic: true, Draining: true), new(Id(y), Dynamic: true, Draining: false)];
        (await InstancesAsync(replicas.A, "pool")).ShouldBe(drained, ignoreOrder: true);
        await Eventually.TrueAsync(
            async () => (await InstancesAsync(replicas.B, "pool")).ToHashSet().SetEquals(drained),
            Deadline,
            "the drain mark to reach B");
        (await replicas.A.Client.AnsweredByAsync("/pool/during-drain", 4)).ShouldBe(["y", "y", "y", "y"]);
        (await replicas.B.Client.AnsweredByAsync("/pool/during-drain", 4)).ShouldBe(["y", "y", "y", "y"]);
        held.IsCompleted.ShouldBeFalse("the held request must keep running while x drains");
        (await InstancesAsync(replicas.A, "pool")).ShouldContain(new InstanceSummary(Id(x), Dynamic: true, Draining: true));

        release.SetResult();
        using (var finished = await held.WaitAsync(Deadline))
        {
            finished.StatusCode.ShouldBe(HttpStatusCode.OK);
            finished.Headers.GetValues("X-Backend").ShouldBe(["x"]);
        }

        await UntilInstancesAsync(replicas.A, "pool", y);
        await UntilInstancesAsync(replicas.B, "pool", y);
        x.Proxied().Count.ShouldBe(1);
    }

    [Fact]
    public async Task EtcdStoppedAndStarted_BothReplicasKeepRoutingReportTheOutageAndCatchUp()
    {
        await using var etcd = await EtcdServer.StartNewAsync();
        await using var x = await TestBackend.StartAsync("x");
        await using var y = await TestBackend.StartAsync("y");
        await using var z = await TestBackend.StartAsync("z");
        await using var replicas = await Replicas.StartAsync(etcd.ClientUrl, UniquePrefix());
        await RegisteredAsync(replicas.A, "orders", x);
        await UntilRoutedAsync(replicas.A, "orders", x);
        await UntilRoutedAsync(replicas.B, "orders", x);

        await etcd.StopAsync();

        var outage = Stopwatch.StartNew();
        await Eventually.TrueAsync(
            async () => !await IsConnectedAsync(replicas.A) && !await IsConnectedAsync(replicas.B),
            Deadline,
            "both replicas to report the outage in GET /");
        output.WriteLine($"Both replicas reported connected=false {outage.ElapsedMilliseconds} ms after etcd was killed.");
        foreach (var replica in replicas.Both)
        {
            using var root = await replica.Client.GetFromJsonAsync<JsonDocument>("/");
            var store = root!.RootElement.GetProperty("registryStore");
            store.GetProperty("kind").GetString().ShouldBe("etcd");
            store.GetProperty("since").ValueKind.ShouldBe(JsonValueKind.String);
            store.GetProperty("lastError").GetString().ShouldNotBeNullOrWhiteSpace();
            using (var services = await replica.Client.GetFromJsonAsync<JsonDocument>("/services"))
            {
                services!.RootElement.GetProperty("registryStore").GetProperty("connected").GetBoolean().ShouldBeFalse();
            }

            (await replica.Client.AnsweredByAsync("/orders/during-outage", 3)).ShouldBe(["x", "x", "x"], $"replica {replica.Name} keeps routing");
        }

        using (var refused = await RegisterAsync(replicas.A, "orders", z))
        {
            refused.StatusCode.ShouldBe(HttpStatusCode.ServiceUnavailable);
        }

        await etcd.StartAsync();

        var back = Stopwatch.StartNew();
        await Eventually.TrueAsync(
            async () => await IsConnectedAsync(replicas.A) && await IsConnectedAsync(replicas.B),
            ReconnectDeadline,
            "both replicas to reconnect");
        output.WriteLine($"Both replicas reported connected=true {back.ElapsedMilliseconds} ms after etcd was healthy again.");
        using (var response = await RegisterAsync(replicas.A, "orders", y))
        {
            response.StatusCode.ShouldBe(HttpStatusCode.Created);
        }

        await UntilInstancesAsync(replicas.B, "orders", x, y);
        await UntilInstancesAsync(replicas.A, "orders", x, y);
        (await replicas.B.Client.AnsweredByAsync("/orders/after-outage", 4)).Order(StringComparer.Ordinal).ShouldBe(["x", "x", "y", "y"]);
        z.Proxied().ShouldBeEmpty();
        foreach (var replica in replicas.Both)
        {
            // One warning for the outage, however many retries it took.
            replica.Logs.Events.Count(e => e.Level == LogEventLevel.Warning
                && e.RenderMessage(CultureInfo.InvariantCulture).Contains("cannot be reached", StringComparison.Ordinal))
                .ShouldBe(1, $"replica {replica.Name} logs the outage once");
        }
    }

    [Fact]
    public async Task RegistrationToRouting_TwentyRegistrationsThroughA_AreAllRoutedByB()
    {
        const int Registrations = 20;
        await using var x = await TestBackend.StartAsync("x");
        await using var y = await TestBackend.StartAsync("y");
        await using var replicas = await Replicas.StartAsync(shared.Etcd.ClientUrl, UniquePrefix());
        var afterCreated = new List<TimeSpan>();
        var afterSent = new List<TimeSpan>();

        for (var i = 0; i < Registrations; i++)
        {
            var service = $"svc-{i}";
            var backend = i % 2 == 0 ? x : y;
            var sent = Stopwatch.StartNew();
            using (var response = await RegisterAsync(replicas.A, service, backend))
            {
                response.StatusCode.ShouldBe(HttpStatusCode.Created);
            }

            var created = Stopwatch.StartNew();
            afterCreated.Add(await TimeUntilRoutedAsync(replicas.B, service, backend, created));
            afterSent.Add(sent.Elapsed);
        }

        // Each was routed, or TimeUntilRoutedAsync would have thrown; how fast is measured, not asserted.
        Report("Registration through A (after its 201) to the first request routed by B", afterCreated);
        Report("The same, counted from when the registration was sent to A (admin call included)", afterSent);
        afterCreated.Count.ShouldBe(Registrations);
    }

    /// <summary>Writes min, median and max of the times to the test's output.</summary>
    private void Report(string what, List<TimeSpan> times)
    {
        var sorted = times.Order().ToList();
        var middle = sorted.Count / 2;
        var median = sorted.Count % 2 == 1 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2;
        output.WriteLine(
            $"{what}, {sorted.Count} registrations: min {sorted[0].TotalMilliseconds:0.0} ms, "
            + $"median {median.TotalMilliseconds:0.0} ms, max {sorted[^1].TotalMilliseconds:0.0} ms; all, sorted (ms): "
            + string.Join(", ", sorted.Select(t => t.TotalMilliseconds.ToString("0.0", CultureInfo.InvariantCulture))));
    }

    [Fact]
    public async Task Split_SetThroughReplicaA_IsRoutedAndShownByReplicaB()
    {
        await using var x = await TestBackend.StartAsync("x");
        await using var y = await TestBackend.StartAsync("y");
        await using var replicas = await Replicas.StartAsync(shared.Etcd.ClientUrl, UniquePrefix());
        foreach (var (backend, version) in new[] { (x, "1"), (y, "2") })
        {
            using var registered = await AdminAsync(
                replicas.A, HttpMethod.Post, "/admin/services/orders/instances", new { host = "127.0.0.1", port = backend.Port, version });
            registered.StatusCode.ShouldBe(HttpStatusCode.Created);
        }

        await UntilInstancesAsync(replicas.B, "orders", x, y);
        var beforeSplit = await replicas.B.Client.AnsweredByAsync("/orders/item", 4);

        using (var split = await AdminAsync(
            replicas.A, HttpMethod.Put, "/admin/services/orders/split", new { weights = new Dictionary<string, int> { ["1"] = 0, ["2"] = 100 } }))
        {
            split.StatusCode.ShouldBe(HttpStatusCode.OK, await split.Content.ReadAsStringAsync());
        }

        await Eventually.TrueAsync(
            async () => (await replicas.B.Client.AnsweredByAsync("/orders/item", 6)).TrueForAll(backend => backend == "y"),
            Deadline,
            "replica B to send every request of orders to version 2");
        beforeSplit.ShouldContain("x");
        using var services = await replicas.B.Client.GetFromJsonAsync<JsonDocument>("/services");
        var orders = services!.RootElement.GetProperty("services").EnumerateArray().Single(s => s.GetProperty("name").GetString() == "orders");
        orders.GetProperty("split").GetProperty("weights").GetProperty("2").GetInt32().ShouldBe(100);
        orders.GetProperty("instances").EnumerateArray().Select(i => i.GetProperty("version").GetString()).Order().ShouldBe(["1", "2"]);
    }

    private static string UniquePrefix() => $"/gateway-replica-tests/{Guid.NewGuid():N}/";

    private static string Id(TestBackend backend) => $"127.0.0.1:{backend.Port}";

    private static Task<HttpResponseMessage> RegisterAsync(Replica replica, string service, TestBackend backend, int? ttlSeconds = null) =>
        AdminAsync(replica, HttpMethod.Post, $"/admin/services/{service}/instances", new { host = "127.0.0.1", port = backend.Port, ttlSeconds });

    /// <summary>Registers the backend, which must succeed, as the arrange step of a test.</summary>
    private static async Task RegisteredAsync(Replica replica, string service, TestBackend backend)
    {
        using var response = await RegisterAsync(replica, service, backend);
        response.StatusCode.ShouldBeOneOf(HttpStatusCode.Created, HttpStatusCode.OK);
    }

    private static async Task<HttpResponseMessage> AdminAsync(Replica replica, HttpMethod method, string path, object? body = null)
    {
        using var request = new HttpRequestMessage(method, path) { Content = body is null ? null : JsonContent.Create(body) };
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", AdminKey);
        return await replica.Client.SendAsync(request);
    }

    private static Task UntilRoutedAsync(Replica replica, string service, TestBackend backend) =>
        Eventually.TrueAsync(
            async () => await replica.Client.AnsweredByAsync($"/{service}/probe") == backend.Name,
            Deadline,
            $"replica {replica.Name} to route {service} to {backend.Name}");

    /// <summary>
    /// Sends requests for the service through the replica until one is answered by the backend, and returns the time
    /// <paramref name="since"/> shows then: the moment that first routed request's answer came back.
    /// </summary>
    private static async Task<TimeSpan> TimeUntilRoutedAsync(Replica replica, string service, TestBackend backend, Stopwatch since)
    {
        while (await replica.Client.AnsweredByAsync($"/{service}/first") != backend.Name)
        {
            if (since.Elapsed > Deadline)
            {
                throw new TimeoutException($"Replica {replica.Name} did not route {service} to {backend.Name} within {Deadline}.");
            }

            await Task.Delay(FastPollInterval);
        }

        return since.Elapsed;
    }

    /// <summary>Waits until the replica's <c>GET /services</c> shows exactly these instances of the service.</summary>
    private static Task UntilInstancesAsync(Replica replica, string service, params TestBackend[] backends) =>
        Eventually.TrueAsync(
            async () => (await InstancesAsync(replica, service)).Select(i => i.Id).Order(StringComparer.Ordinal)
                .SequenceEqual(backends.Select(Id).Order(StringComparer.Ordinal)),
            Deadline,
            $"replica {replica.Name} to list exactly {string.Join(", ", backends.Select(b => b.Name))} in {service}");

    /// <summary>The service's instances as <c>GET /services</c> shows them; none if the replica has no such service.</summary>
    private static async Task<List<InstanceSummary>> InstancesAsync(Replica replica, string service)
    {
        using var document = await replica.Client.GetFromJsonAsync<JsonDocument>("/services");
        var found = document!.RootElement.GetProperty("services").EnumerateArray()
            .Where(s => s.GetProperty("name").GetString() == service)
            .ToList();
        return found.Count == 0
            ? []
            : [.. found.Single().GetProperty("instances").EnumerateArray().Select(i => new InstanceSummary(
                i.GetProperty("id").GetString()!,
                i.GetProperty("dynamic").GetBoolean(),
                i.GetProperty("draining").GetBoolean()))];
    }

    /// <summary>Waits until the replica's <c>GET /services</c> shows the backend's override with this reason, or none (null).</summary>
    private static Task UntilOverrideAsync(Replica replica, string service, TestBackend backend, string? reason, string? because = null) =>
        Eventually.TrueAsync(
            async () =>
            {
                using var document = await replica.Client.GetFromJsonAsync<JsonDocument>("/services");
                var shown = document!.RootElement.GetProperty("services").EnumerateArray()
                    .Single(s => s.GetProperty("name").GetString() == service)
                    .GetProperty("instances").EnumerateArray()
                    .Single(i => i.GetProperty("id").GetString() == Id(backend))
                    .GetProperty("override");
                return reason is null
                    ? shown.ValueKind == JsonValueKind.Null
                    : shown.ValueKind == JsonValueKind.Object && shown.GetProperty("reason").GetString() == reason;
            },
            Deadline,
            because ?? $"replica {replica.Name} to show {(reason is null ? "no override" : $"the override '{reason}'")} on {backend.Name}");

    private static async Task<bool> HasServiceAsync(Replica replica, string service)
    {
        using var document = await replica.Client.GetFromJsonAsync<JsonDocument>("/services");
        return document!.RootElement.GetProperty("services").EnumerateArray().Any(s => s.GetProperty("name").GetString() == service);
    }

    /// <summary><c>registryStore.connected</c> in the replica's <c>GET /</c>.</summary>
    private static async Task<bool> IsConnectedAsync(Replica replica)
    {
        using var root = await replica.Client.GetFromJsonAsync<JsonDocument>("/");
        return root!.RootElement.GetProperty("registryStore").GetProperty("connected").GetBoolean();
    }

    /// <summary>One etcd for the tests of this class that do not stop it; each test keeps to a prefix of its own.</summary>
    public sealed class SharedEtcd : IAsyncLifetime
    {
        public EtcdServer Etcd { get; private set; } = null!;

        public async Task InitializeAsync() => Etcd = await EtcdServer.StartNewAsync();

        public async Task DisposeAsync() => await Etcd.DisposeAsync();
    }

    private sealed record InstanceSummary(string Id, bool Dynamic, bool Draining);

    /// <summary>One gateway replica: the real gateway with the etcd store, and a client to it.</summary>
    private sealed class Replica : IAsyncDisposable
    {
        private readonly GatewayFactory _factory;

        private Replica(string name, GatewayFactory factory, CapturingSink logs)
        {
            Name = name;
            _factory = factory;
            Logs = logs;
            Client = factory.CreateRawClient();
        }

        public string Name { get; }

        /// <summary>What the replica logged, at the factory's level (warnings and above).</summary>
        public CapturingSink Logs { get; }

        public HttpClient Client { get; }

        /// <summary>Starts the gateway (creating its client starts the host) with the etcd store on the prefix.</summary>
        public static Replica Start(string name, string etcdEndpoints, string prefix)
        {
            var logs = new CapturingSink();
            var factory = new GatewayFactory()
                .With("REGISTRY_STORE", "etcd")
                .With("ETCD_ENDPOINTS", etcdEndpoints)
                .With("ETCD_PREFIX", prefix)
                .With("GATEWAY_ADMIN_KEY", AdminKey)
                .WithServices(services => services.AddSingleton<ILogEventSink>(logs));
            try
            {
                return new Replica(name, factory, logs);
            }
            catch
            {
                factory.Dispose();
                throw;
            }
        }

        public async ValueTask DisposeAsync()
        {
            Client.Dispose();
            await _factory.DisposeAsync();
        }
    }

    /// <summary>Replicas A and B on one etcd and prefix, both connected to it.</summary>
    private sealed class Replicas : IAsyncDisposable
    {
        private Replicas(Replica a, Replica b)
        {
            A = a;
            B = b;
        }

        public Replica A { get; }

        public Replica B { get; }

        public IEnumerable<Replica> Both => [A, B];

        public static async Task<Replicas> StartAsync(string etcdEndpoints, string prefix)
        {
            var a = Replica.Start("A", etcdEndpoints, prefix);
            Replica? b = null;
            try
            {
                b = Replica.Start("B", etcdEndpoints, prefix);
                var replicas = new Replicas(a, b);
                await Eventually.TrueAsync(
                    async () => await IsConnectedAsync(a) && await IsConnectedAsync(b),
                    StartDeadline,
                    "both replicas to load the prefix from etcd");
                return replicas;
            }
            catch
            {
                if (b is not null)
                {
                    await b.DisposeAsync();
                }

                await a.DisposeAsync();
                throw;
            }
        }

        public async ValueTask DisposeAsync()
        {
            await A.DisposeAsync();
            await B.DisposeAsync();
        }
    }
}
