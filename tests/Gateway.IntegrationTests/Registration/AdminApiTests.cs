using System.Globalization;
using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Gateway.IntegrationTests.Support;
using Microsoft.Extensions.DependencyInjection;
using Serilog.Core;

namespace Gateway.IntegrationTests.Registration;

/// <summary>
/// The contract's "Dynamic registration" section against the real gateway with its embedded (memory) store: the admin
/// API, and what proxying does with what it registers.
/// </summary>
public sealed partial class AdminApiTests : IAsyncLifetime
{
    private const string Key = "integration-test-admin-key";

    private static readonly TimeSpan Deadline = TimeSpan.FromSeconds(15);

    private readonly CapturingSink _logs = new();
    private TestBackend _configured = null!;
    private TestBackend _a = null!;
    private TestBackend _b = null!;
    private GatewayFactory _gateway = null!;
    private HttpClient _client = null!;

    public async Task InitializeAsync()
    {
        _configured = await TestBackend.StartAsync("configured");
        _a = await TestBackend.StartAsync("a");
        _b = await TestBackend.StartAsync("b");
        _gateway = new GatewayFactory()
            .WithService("orders", _configured)
            .With("GATEWAY_ADMIN_KEY", Key)
            .With("LOG_LEVEL", "Information")
            .WithServices(services => services.AddSingleton<ILogEventSink>(_logs));
        _client = _gateway.CreateRawClient();
    }

    public async Task DisposeAsync()
    {
        _client.Dispose();
        await _gateway.DisposeAsync();
        await _configured.DisposeAsync();
        await _a.DisposeAsync();
        await _b.DisposeAsync();
    }

    private string ConfiguredId => $"127.0.0.1:{_configured.Port}";

    [Fact]
    public async Task WithoutAdminKey_EveryAdminRouteAnswers404Problem()
    {
        await using var gateway = new GatewayFactory().WithService("orders", _configured);
        using var client = gateway.CreateRawClient();
        var before = await ServicesAsync(client);

        foreach (var request in AdminRequests(Registration(_a), authorization: $"Bearer {Key}"))
        {
            using (request)
            {
                using var response = await client.SendAsync(request);
                await ProblemAsync(response, HttpStatusCode.NotFound);
            }
        }

        (await ServicesAsync(client)).ShouldBe(before);
        _a.Proxied().ShouldBeEmpty();
    }

    [Theory]
    [InlineData(null)]
    [InlineData("Bearer not-the-admin-key-at-all")]
    [InlineData("Bearer integration-test-admin-ke")]
    [InlineData("Basic " + Key)]
    [InlineData(Key)]
    public async Task MissingOrWrongKey_Answers401ProblemAndChangesNothing(string? authorization)
    {
        await RegisteredAsync("dyn", _a);
        var before = await ServicesAsync(_client);

        foreach (var request in AdminRequests(Registration(_b), authorization))
        {
            using (request)
            {
                using var response = await _client.SendAsync(request);
                await ProblemAsync(response, HttpStatusCode.Unauthorized);
                response.Headers.WwwAuthenticate.ToString().ShouldBe("Bearer");
            }
        }

        (await ServicesAsync(_client)).ShouldBe(before);
    }

    [Fact]
    public async Task Register_NewService_Answers201WithItsIdAndTheGatewayRoutesToIt()
    {
        using var response = await RegisterAsync("dyn", _a);

        response.StatusCode.ShouldBe(HttpStatusCode.Created);
        using var body = await JsonDocument.ParseAsync(await response.Content.ReadAsStreamAsync());
        body.RootElement.GetProperty("id").GetString().ShouldBe($"127.0.0.1:{_a.Port}");
        body.RootElement.GetProperty("service").GetString().ShouldBe("dyn");

        var service = (await ServicesAsync(_client))["dyn"];
        service.LoadBalancer.ShouldBe("round_robin");
        service.HealthCheckPath.ShouldBe("/health");
        service.Instances.ShouldBe([new InstanceSummary($"127.0.0.1:{_a.Port}", 1, Dynamic: true, Draining: false)]);

        using var proxied = await _client.GetAsync("/dyn/items/7?x=1");
        proxied.StatusCode.ShouldBe(HttpStatusCode.OK);
        proxied.Headers.GetValues("X-Backend").ShouldBe(["a"]);
        _a.Proxied().ShouldHaveSingleItem().RawTarget.ShouldBe("/items/7?x=1");
    }

    [Fact]
    public async Task Register_SameHostAndPortAgain_Answers200AndRefreshesIt()
    {
        using (var first = await RegisterAsync("dyn", _a))
        {
            first.StatusCode.ShouldBe(HttpStatusCode.Created);
        }

        using var again = await AdminAsync(HttpMethod.Post, "/admin/services/dyn/instances", Registration(_a, weight: 3));

        again.StatusCode.ShouldBe(HttpStatusCode.OK);
        (await ServicesAsync(_client))["dyn"].Instances.ShouldBe([new InstanceSummary($"127.0.0.1:{_a.Port}", 3, Dynamic: true, Draining: false)]);
    }

    [Fact]
    public async Task Register_NewInstanceOfAConfiguredService_JoinsTheConfiguredOne()
    {
        using var response = await RegisterAsync("orders", _a);

        response.StatusCode.ShouldBe(HttpStatusCode.Created);
        var answeredBy = await _client.AnsweredByAsync("/orders/x", 4);
        answeredBy.Order(StringComparer.Ordinal).ShouldBe(["a", "a", "configured", "configured"]);
    }

    [Fact]
    public async Task Register_AddressOfAConfiguredInstance_Answers409()
    {
        using var response = await AdminAsync(HttpMethod.Post, "/admin/services/orders/instances", Registration(_configured));

        await ProblemAsync(response, HttpStatusCode.Conflict);
        (await ServicesAsync(_client))["orders"].Instances.ShouldBe([new InstanceSummary(ConfiguredId, 1, Dynamic: false, Draining: false)]);
    }

    [Fact]
    public async Task Heartbeat_RegisteredInstance_Answers200()
    {
        await RegisteredAsync("dyn", _a, ttlSeconds: 60);

        using var response = await AdminAsync(HttpMethod.Put, $"/admin/services/dyn/instances/127.0.0.1:{_a.Port}/heartbeat");

        response.StatusCode.ShouldBe(HttpStatusCode.OK);
    }

    [Theory]
    [InlineData("dyn")]
    [InlineData("nowhere")]
    public async Task Heartbeat_UnknownInstance_Answers404Problem(string service)
    {
        await RegisteredAsync("dyn", _a, ttlSeconds: 60);

        using var response = await AdminAsync(HttpMethod.Put, $"/admin/services/{service}/instances/127.0.0.1:1/heartbeat");

        await ProblemAsync(response, HttpStatusCode.NotFound);
    }

    [Fact]
    public async Task Register_WithTtlAndNoHeartbeat_IsRemovedWhenTheLeaseRunsOut()
    {
        using (var response = await RegisterAsync("dyn", _a, ttlSeconds: 1))
        {
            response.StatusCode.ShouldBe(HttpStatusCode.Created);
        }

        (await ServicesAsync(_client)).ShouldContainKey("dyn");

        await Eventually.TrueAsync(async () => !(await ServicesAsync(_client)).ContainsKey("dyn"), Deadline, "the 1 s lease ran out");
        using var proxied = await _client.GetAsync("/dyn/x");
        await ProblemAsync(proxied, HttpStatusCode.NotFound);
        using var heartbeat = await AdminAsync(HttpMethod.Put, $"/admin/services/dyn/instances/127.0.0.1:{_a.Port}/heartbeat");
        await ProblemAsync(heartbeat, HttpStatusCode.NotFound);
        _logs.Rendered().ShouldContain(line => line.StartsWith($"\"dyn\" \"127.0.0.1:{_a.Port}\" removed: no heartbeat within its 1 s lease", StringComparison.Ordinal));
    }

    [Fact]
    public async Task EveryAdminCall_WritesOneAuditLine_WithTheKeysFingerprintNeverTheKey()
    {
        const string wrongKey = "not-the-admin-key-at-all";
        using (var registered = await RegisterAsync("dyn", _a))
        {
            registered.StatusCode.ShouldBe(HttpStatusCode.Created);
        }

        using (var request = new HttpRequestMessage(HttpMethod.Put, $"/admin/services/dyn/instances/127.0.0.1:{_a.Port}/heartbeat"))
        {
            request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", wrongKey);
            using var refused = await _client.SendAsync(request);
            refused.StatusCode.ShouldBe(HttpStatusCode.Unauthorized);
        }

        using (var invalid = await AdminAsync(HttpMethod.Post, "/admin/services/dyn/instances", Json("[1, 2]")))
        {
            invalid.StatusCode.ShouldBe(HttpStatusCode.BadRequest);
        }

        // Written once each answer is complete, which may be a moment after the client has read it.
        await Eventually.TrueAsync(() => AuditLines().Count == 3, Deadline, "three audit lines");
        AuditLines().ShouldBe(
        [
            ("POST", "/admin/services/dyn/instances", 201, "127.0.0.1", Fingerprint(Key)),
            ("PUT", $"/admin/services/dyn/instances/127.0.0.1:{_a.Port}/heartbeat", 401, "127.0.0.1", Fingerprint(wrongKey)),
            ("POST", "/admin/services/dyn/instances", 400, "127.0.0.1", Fingerprint(Key)),
        ]);
        var everything = string.Join("\n", _logs.Rendered());
        everything.ShouldNotContain(Key);
        everything.ShouldNotContain(wrongKey);
    }

    [Fact]
    public async Task Delete_RegisteredInstance_Answers204AndItsServiceIsGone()
    {
        await RegisteredAsync("dyn", _a);

        using var response = await AdminAsync(HttpMethod.Delete, $"/admin/services/dyn/instances/127.0.0.1:{_a.Port}");

        response.StatusCode.ShouldBe(HttpStatusCode.NoContent);
        (await response.Content.ReadAsByteArrayAsync()).ShouldBeEmpty();
        (await ServicesAsync(_client)).ShouldNotContainKey("dyn");
        // A dynamic service exists only through its registrations: without any it is an unknown service.
        using var proxied = await _client.GetAsync("/dyn/x");
        (await ProblemAsync(proxied, HttpStatusCode.NotFound)).GetProperty("service").GetString().ShouldBe("dyn");
        _a.Proxied().ShouldBeEmpty();
        using var again = await AdminAsync(HttpMethod.Delete, $"/admin/services/dyn/instances/127.0.0.1:{_a.Port}");
        await ProblemAsync(again, HttpStatusCode.NotFound);
    }

    [Fact]
    public async Task Delete_RegisteredInstanceOfAConfiguredService_LeavesTheConfiguredOne()
    {
        await RegisteredAsync("orders", _a);

        using var response = await AdminAsync(HttpMethod.Delete, $"/admin/services/orders/instances/127.0.0.1:{_a.Port}");

        response.StatusCode.ShouldBe(HttpStatusCode.NoContent);
        (await _client.AnsweredByAsync("/orders/x", 3)).ShouldBe(["configured", "configured", "configured"]);
    }

    [Fact]
    public async Task Delete_ConfiguredInstance_Answers409AndKeepsIt()
    {
        using var response = await AdminAsync(HttpMethod.Delete, $"/admin/services/orders/instances/{ConfiguredId}");

        await ProblemAsync(response, HttpStatusCode.Conflict);
        (await ServicesAsync(_client))["orders"].Instances.ShouldBe([new InstanceSummary(ConfiguredId, 1, Dynamic: false, Draining: false)]);
        (await _client.AnsweredByAsync("/orders/x", 1)).ShouldBe(["configured"]);
    }

    [Fact]
    public async Task Drain_InstanceWithARequestInFlight_GetsNoNewRequestsAndLeavesOnceItFinishes()
    {
        var release = _a.HoldRequests();
        await RegisteredAsync("pool", _a);

        var held = _client.GetAsync("/pool/held");
        await Eventually.TrueAsync(() => _a.Proxied().Count == 1, Deadline, "the held request reached a");
        await RegisteredAsync("pool", _b);

        using var drain = await AdminAsync(HttpMethod.Post, $"/admin/services/pool/instances/127.0.0.1:{_a.Port}/drain");

        drain.StatusCode.ShouldBe(HttpStatusCode.Accepted);
        (await _client.AnsweredByAsync("/pool/x", 4)).ShouldBe(["b", "b", "b", "b"]);
        var whileHeld = (await ServicesAsync(_client))["pool"].Instances;
        whileHeld.ShouldContain(new InstanceSummary($"127.0.0.1:{_a.Port}", 1, Dynamic: true, Draining: true));
        release.SetResult();
        using (var finished = await held.WaitAsync(Deadline))
        {
            finished.StatusCode.ShouldBe(HttpStatusCode.OK);
            finished.Headers.GetValues("X-Backend").ShouldBe(["a"]);
        }

        await Eventually.TrueAsync(
            async () => (await ServicesAsync(_client))["pool"].Instances.Select(i => i.Id).SequenceEqual([$"127.0.0.1:{_b.Port}"]),
            Deadline,
            "a left once its request finished");
        _a.Proxied().Count.ShouldBe(1);
    }

    [Fact]
    public async Task Drain_ThenRegisteredAgain_TheDrainIsCalledOffAndTheInstanceStays()
    {
        var release = _a.HoldRequests();
        await RegisteredAsync("pool", _a);

        var held = _client.GetAsync("/pool/held");
        await Eventually.TrueAsync(() => _a.Proxied().Count == 1, Deadline, "the held request reached a");
        using (var drain = await AdminAsync(HttpMethod.Post, $"/admin/services/pool/instances/127.0.0.1:{_a.Port}/drain"))
        {
            drain.StatusCode.ShouldBe(HttpStatusCode.Accepted);
        }

        using var again = await RegisterAsync("pool", _a);

        again.StatusCode.ShouldBe(HttpStatusCode.OK);
        release.SetResult();
        (await held.WaitAsync(Deadline)).Dispose();
        await Eventually.TrueAsync(
            () => _logs.Rendered().Any(line => line.Contains("no longer being drained", StringComparison.Ordinal)),
            Deadline,
            "the drain ended");
        (await ServicesAsync(_client))["pool"].Instances.ShouldBe([new InstanceSummary($"127.0.0.1:{_a.Port}", 1, Dynamic: true, Draining: false)]);
        (await _client.AnsweredByAsync("/pool/x", 1)).ShouldBe(["a"]);
    }

    [Fact]
    public async Task Drain_ConfiguredInstance_Answers202AndTakesItOutOfRotation()
    {
        await RegisteredAsync("orders", _a);

        using var response = await AdminAsync(HttpMethod.Post, $"/admin/services/orders/instances/{ConfiguredId}/drain");

        response.StatusCode.ShouldBe(HttpStatusCode.Accepted);
        (await _client.AnsweredByAsync("/orders/x", 3)).ShouldBe(["a", "a", "a"]);
        (await ServicesAsync(_client))["orders"].Instances.ShouldContain(new InstanceSummary(ConfiguredId, 1, Dynamic: false, Draining: true));
    }

    [Fact]
    public async Task Drain_UnknownInstance_Answers404Problem()
    {
        using var response = await AdminAsync(HttpMethod.Post, "/admin/services/orders/instances/127.0.0.1:1/drain");

        await ProblemAsync(response, HttpStatusCode.NotFound);
    }

    [Fact]
    public async Task ConfigureService_Registered_SetsItsStrategyAndHealthCheckPath()
    {
        await RegisteredAsync("dyn", _a);

        using var response = await AdminAsync(
            HttpMethod.Put, "/admin/services/dyn", new { loadBalancer = "LeastConnections", healthCheckPath = "/status" });

        response.StatusCode.ShouldBe(HttpStatusCode.OK);
        var service = (await ServicesAsync(_client))["dyn"];
        service.LoadBalancer.ShouldBe("least_connections");
        service.HealthCheckPath.ShouldBe("/status");
    }

    [Fact]
    public async Task ConfigureService_Unknown_Answers404Problem()
    {
        using var response = await AdminAsync(HttpMethod.Put, "/admin/services/nowhere", new { loadBalancer = "random" });

        await ProblemAsync(response, HttpStatusCode.NotFound);
        (await ServicesAsync(_client)).ShouldNotContainKey("nowhere");
    }

    [Fact]
    public async Task ConfigureService_Configured_Answers409Problem()
    {
        using var response = await AdminAsync(HttpMethod.Put, "/admin/services/orders", new { loadBalancer = "random" });

        await ProblemAsync(response, HttpStatusCode.Conflict);
        (await ServicesAsync(_client))["orders"].LoadBalancer.ShouldBe("round_robin");
    }

    [Theory]
    [InlineData("{\"loadBalancer\":\"fastest\"}", "loadBalancer")]
    [InlineData("{\"loadBalancer\":7}", "loadBalancer")]
    [InlineData("{\"loadBalancer\":\"random\",\"healthCheckPath\":\"status\"}", "healthCheckPath")]
    [InlineData("not json", "body")]
    public async Task ConfigureService_InvalidInput_Answers400NamingTheFieldAndChangesNothing(string body, string field)
    {
        await RegisteredAsync("dyn", _a);

        using var response = await AdminAsync(HttpMethod.Put, "/admin/services/dyn", Json(body));

        (await ProblemAsync(response, HttpStatusCode.BadRequest)).GetProperty("field").GetString().ShouldBe(field);
        var service = (await ServicesAsync(_client))["dyn"];
        service.LoadBalancer.ShouldBe("round_robin");
        service.HealthCheckPath.ShouldBe("/health");
    }

    [Theory]
    [InlineData("dyn", "{\"port\":{port}}", "host")]
    [InlineData("dyn", "{\"host\":\"\",\"port\":{port}}", "host")]
    [InlineData("dyn", "{\"host\":\"127.0.0.1/evil\",\"port\":{port}}", "host")]
    [InlineData("dyn", "{\"host\":42,\"port\":{port}}", "host")]
    [InlineData("dyn", "{\"host\":\"127.0.0.1\"}", "port")]
    [InlineData("dyn", "{\"host\":\"127.0.0.1\",\"port\":\"x\"}", "port")]
    [InlineData("dyn", "{\"host\":\"127.0.0.1\",\"port\":70000}", "port")]
    [InlineData("dyn", "{\"host\":\"127.0.0.1\",\"port\":1.5}", "port")]
    [InlineData("dyn", "{\"host\":\"127.0.0.1\",\"port\":{port},\"weight\":0}", "weight")]
    [InlineData("dyn", "{\"host\":\"127.0.0.1\",\"port\":{port},\"scheme\":\"ftp\"}", "scheme")]
    [InlineData("dyn", "{\"host\":\"127.0.0.1\",\"port\":{port},\"ttlSeconds\":0}", "ttlSeconds")]
    [InlineData("health", "{\"host\":\"127.0.0.1\",\"port\":{port}}", "name")]
    [InlineData("Admin", "{\"host\":\"127.0.0.1\",\"port\":{port}}", "name")]
    [InlineData("a123456789b123456789c123456789d123456789e123456789f123456789g123456789h123456789i123456789j1234567890", "{\"host\":\"127.0.0.1\",\"port\":{port}}", "name")]
    [InlineData("dyn", "not json", "body")]
    [InlineData("dyn", "", "body")]
    [InlineData("dyn", "[{\"host\":\"127.0.0.1\"}]", "body")]
    public async Task Register_InvalidInput_Answers400NamingTheFieldAndAppliesNothing(string service, string body, string field)
    {
        var before = await ServicesAsync(_client);

        using var response = await AdminAsync(
            HttpMethod.Post, $"/admin/services/{service}/instances", Json(body.Replace("{port}", Port(_a), StringComparison.Ordinal)));

        var problem = await ProblemAsync(response, HttpStatusCode.BadRequest);
        problem.GetProperty("field").GetString().ShouldBe(field);
        problem.GetProperty("detail").GetString().ShouldNotBeNull().ShouldStartWith(field);
        (await ServicesAsync(_client)).ShouldBe(before);
        using var proxied = await _client.GetAsync($"/{service}/x");
        proxied.StatusCode.ShouldBe(HttpStatusCode.NotFound);
        _a.Proxied().ShouldBeEmpty();
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task Register_BodyOverTheAdminLimit_Answers413ProblemAndAppliesNothing(bool chunked)
    {
        var before = await ServicesAsync(_client);
        // Valid JSON all the way: only its size is wrong. Chunked, the body declares no length and grows past the limit.
        var padded = $"{{\"host\":\"127.0.0.1\",\"port\":{Port(_a)}{new string(' ', 70 * 1024)}}}";
        HttpContent content = chunked ? new StreamContent(new MemoryStream(Encoding.UTF8.GetBytes(padded))) : Json(padded);
        content.Headers.ContentType = new MediaTypeHeaderValue("application/json");

        using var response = await AdminAsync(HttpMethod.Post, "/admin/services/dyn/instances", content);

        await ProblemAsync(response, HttpStatusCode.RequestEntityTooLarge);
        (await ServicesAsync(_client)).ShouldBe(before);
    }

    [Fact]
    public async Task Register_BodyOverMaxRequestBodySize_Answers413Problem()
    {
        await using var gateway = new GatewayFactory().With("GATEWAY_ADMIN_KEY", Key).With("MAX_REQUEST_BODY_SIZE", "100");
        using var client = gateway.CreateRawClient();
        using var request = new HttpRequestMessage(HttpMethod.Post, "/admin/services/dyn/instances")
        {
            Content = Json($"{{\"host\":\"127.0.0.1\",\"port\":{Port(_a)}{new string(' ', 200)}}}"),
        };
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", Key);

        using var response = await client.SendAsync(request);

        await ProblemAsync(response, HttpStatusCode.RequestEntityTooLarge);
    }

    [Fact]
    public async Task Register_BodyJustUnderTheAdminLimit_IsAccepted()
    {
        var padded = $"{{\"host\":\"127.0.0.1\",\"port\":{Port(_a)}{new string(' ', 60 * 1024)}}}";

        using var response = await AdminAsync(HttpMethod.Post, "/admin/services/dyn/instances", Json(padded));

        response.StatusCode.ShouldBe(HttpStatusCode.Created);
    }

    [Theory]
    [InlineData("169.254.169.254")]
    [InlineData("fe80::1")]
    public async Task Register_LinkLocalAddress_Answers400NamingTheHostAndAppliesNothing(string host)
    {
        var before = await ServicesAsync(_client);

        using var response = await AdminAsync(HttpMethod.Post, "/admin/services/dyn/instances", new { host, port = 80 });

        var problem = await ProblemAsync(response, HttpStatusCode.BadRequest);
        problem.GetProperty("field").GetString().ShouldBe("host");
        problem.GetProperty("detail").GetString().ShouldNotBeNull().ShouldContain("link-local");
        (await ServicesAsync(_client)).ShouldBe(before);
    }

    [Theory]
    [InlineData("127.0.0.1", HttpStatusCode.Created)]
    [InlineData("localhost", HttpStatusCode.Created)]
    [InlineData("10.0.0.1", HttpStatusCode.BadRequest)]
    [InlineData("backend.example", HttpStatusCode.BadRequest)]
    [InlineData("169.254.10.20", HttpStatusCode.Created)]
    public async Task Register_WithAllowedNetworks_AcceptsOnlyAddressesInsideThem(string host, HttpStatusCode expected)
    {
        await using var gateway = new GatewayFactory()
            .With("GATEWAY_ADMIN_KEY", Key)
            .With("GATEWAY_ADMIN_ALLOWED_NETWORKS", "127.0.0.0/8, 169.254.10.0/24");
        using var client = gateway.CreateRawClient();
        using var request = new HttpRequestMessage(HttpMethod.Post, "/admin/services/dyn/instances")
        {
            Content = JsonContent.Create(new { host, port = _a.Port }),
        };
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", Key);

        using var response = await client.SendAsync(request);

        response.StatusCode.ShouldBe(expected);
        (await ServicesAsync(client)).ContainsKey("dyn").ShouldBe(expected == HttpStatusCode.Created);
    }

    [Theory]
    [InlineData("127.0.0.1")]
    [InlineData("localhost")]
    public async Task Register_TheGatewaysOwnAddress_Gets400NamingHost(string host)
    {
        var port = _gateway.BaseAddress.Port;

        using var response = await AdminAsync(HttpMethod.Post, "/admin/services/dyn/instances", new { host, port });

        (await ProblemAsync(response, HttpStatusCode.BadRequest)).GetProperty("field").GetString().ShouldBe("host");
    }

    [Fact]
    public async Task Register_InvalidRefreshOfARegisteredInstance_LeavesItAsItWas()
    {
        await RegisteredAsync("dyn", _a);
        var before = await ServicesAsync(_client);

        using var response = await AdminAsync(HttpMethod.Post, "/admin/services/dyn/instances", Registration(_a, weight: 0));

        (await ProblemAsync(response, HttpStatusCode.BadRequest)).GetProperty("field").GetString().ShouldBe("weight");
        (await ServicesAsync(_client)).ShouldBe(before);
    }

    [Fact]
    public async Task FormPost_ThroughTheProxy_ReachesTheInstanceWithItsBody()
    {
        using var form = new FormUrlEncodedContent([new("name", "Ada Lovelace"), new("note", "a&b=c")]);
        var length = (await form.ReadAsByteArrayAsync()).Length;

        using var response = await _client.PostAsync("/orders/form", form);

        response.StatusCode.ShouldBe(HttpStatusCode.OK);
        using var echoed = await JsonDocument.ParseAsync(await response.Content.ReadAsStreamAsync());
        echoed.RootElement.GetProperty("bodyLength").GetInt64().ShouldBe(length);
        var received = _configured.Proxied().ShouldHaveSingleItem();
        received.BodyLength.ShouldBe(length);
        received.Headers["Content-Type"].ShouldBe(["application/x-www-form-urlencoded"]);
    }

    /// <summary>One request to each admin route, all of which would change something if let through.</summary>
    private HttpRequestMessage[] AdminRequests(object registration, string? authorization)
    {
        var instance = $"/admin/services/dyn/instances/127.0.0.1:{_a.Port}";
        HttpRequestMessage[] requests =
        [
            new(HttpMethod.Post, "/admin/services/dyn/instances") { Content = JsonContent.Create(registration) },
            new(HttpMethod.Put, instance + "/heartbeat"),
            new(HttpMethod.Delete, instance),
            new(HttpMethod.Post, instance + "/drain"),
            new(HttpMethod.Put, "/admin/services/dyn") { Content = JsonContent.Create(new { loadBalancer = "random" }) },
        ];
        foreach (var request in requests)
        {
            if (authorization is not null)
            {
                request.Headers.TryAddWithoutValidation("Authorization", authorization);
            }
        }

        return requests;
    }

    /// <summary>Registers the backend, which must succeed, as the arrange step of a test.</summary>
    private async Task RegisteredAsync(string service, TestBackend backend, int? ttlSeconds = null)
    {
        using var response = await RegisterAsync(service, backend, ttlSeconds);
        response.StatusCode.ShouldBeOneOf(HttpStatusCode.Created, HttpStatusCode.OK);
    }

    private Task<HttpResponseMessage> RegisterAsync(string service, TestBackend backend, int? ttlSeconds = null) =>
        AdminAsync(HttpMethod.Post, $"/admin/services/{service}/instances", Registration(backend, ttlSeconds: ttlSeconds));

    private async Task<HttpResponseMessage> AdminAsync(HttpMethod method, string path, object? body = null)
    {
        using var request = new HttpRequestMessage(method, path)
        {
            Content = body switch
            {
                null => null,
                HttpContent content => content,
                _ => JsonContent.Create(body),
            },
        };
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", Key);
        return await _client.SendAsync(request);
    }

    /// <summary>Checks the answer is an RFC 9457 problem with the status, and returns it.</summary>
    private static async Task<JsonElement> ProblemAsync(HttpResponseMessage response, HttpStatusCode status)
    {
        response.StatusCode.ShouldBe(status);
        response.Content.Headers.ContentType.ShouldNotBeNull().MediaType.ShouldBe("application/problem+json");
        using var problem = await JsonDocument.ParseAsync(await response.Content.ReadAsStreamAsync());
        problem.RootElement.GetProperty("status").GetInt32().ShouldBe((int)status);
        problem.RootElement.GetProperty("title").GetString().ShouldNotBeNullOrWhiteSpace();
        problem.RootElement.GetProperty("detail").GetString().ShouldNotBeNullOrWhiteSpace();
        return problem.RootElement.Clone();
    }

    /// <summary>The audit lines logged so far, in order, by their properties.</summary>
    private List<(string Method, string Path, int Status, string ClientAddress, string KeyFingerprint)> AuditLines() =>
        [.. _logs.Events
            .Where(e => e.MessageTemplate.Text.StartsWith("Admin {Method}", StringComparison.Ordinal))
            .Select(e => (Text(e, "Method"), Text(e, "Path"), int.Parse(Text(e, "StatusCode"), CultureInfo.InvariantCulture), Text(e, "ClientAddress"), Text(e, "KeyFingerprint")))];

    private static string Text(Serilog.Events.LogEvent logEvent, string property) =>
        ((Serilog.Events.ScalarValue)logEvent.Properties[property]).Value?.ToString() ?? "";

    private static string Fingerprint(string key) => Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(key)))[..8];

    /// <summary><c>GET /services</c> as comparable values: what each service is and which instances it has.</summary>
    private static async Task<Dictionary<string, ServiceSummary>> ServicesAsync(HttpClient client)
    {
        using var document = await client.GetFromJsonAsync<JsonDocument>("/services");
        return document!.RootElement.GetProperty("services").EnumerateArray().ToDictionary(
            service => service.GetProperty("name").GetString()!,
            service => new ServiceSummary(
                service.GetProperty("loadBalancer").GetString()!,
                service.GetProperty("healthCheckPath").GetString()!,
                [.. service.GetProperty("instances").EnumerateArray().Select(instance => new InstanceSummary(
                    instance.GetProperty("id").GetString()!,
                    instance.GetProperty("weight").GetInt32(),
                    instance.GetProperty("dynamic").GetBoolean(),
                    instance.GetProperty("draining").GetBoolean()))]));
    }

    private static object Registration(TestBackend backend, int weight = 1, int? ttlSeconds = null) =>
        new { host = "127.0.0.1", port = backend.Port, weight, ttlSeconds };

    private static StringContent Json(string body) => new(body, Encoding.UTF8, "application/json");

    private static string Port(TestBackend backend) => backend.Port.ToString(CultureInfo.InvariantCulture);

    private sealed record ServiceSummary(string LoadBalancer, string HealthCheckPath, IReadOnlyList<InstanceSummary> Instances)
    {
        public bool Equals(ServiceSummary? other) =>
            other is not null
            && LoadBalancer == other.LoadBalancer
            && HealthCheckPath == other.HealthCheckPath
            && Instances.SequenceEqual(other.Instances);

        public override int GetHashCode() => HashCode.Combine(LoadBalancer, HealthCheckPath, Instances.Count);
    }

    private sealed record InstanceSummary(string Id, int Weight, bool Dynamic, bool Draining);
}
