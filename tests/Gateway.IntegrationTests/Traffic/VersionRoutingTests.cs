using System.Globalization;
using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;
using Gateway.IntegrationTests.Support;

namespace Gateway.IntegrationTests.Traffic;

/// <summary>
/// A service with two versions, each on a real backend: requests choose a version by header, query or path segment,
/// or go by the service's default or its sticky split, which the admin API changes at run time.
/// </summary>
public sealed class VersionRoutingTests : IAsyncLifetime
{
    private const string Key = "version-routing-tests-admin-key-0123";

    private TestBackend _one = null!;
    private TestBackend _two = null!;
    private GatewayFactory _gateway = null!;
    private HttpClient _client = null!;

    public async Task InitializeAsync()
    {
        _one = await TestBackend.StartAsync("one");
        _two = await TestBackend.StartAsync("two");
    }

    public async Task DisposeAsync()
    {
        _client?.Dispose();
        if (_gateway is not null)
        {
            await _gateway.DisposeAsync();
        }

        await _one.DisposeAsync();
        await _two.DisposeAsync();
    }

    [Theory]
    [InlineData("/users/list", "Api-Version", "2", "two", "/list")]
    [InlineData("/users/list?api-version=2&page=1", null, null, "two", "/list?api-version=2&page=1")]
    [InlineData("/users/v2/list?page=1", null, null, "two", "/list?page=1")]
    [InlineData("/users/v1/list", null, null, "one", "/list")]
    [InlineData("/users/list", null, null, "one", "/list")]
    public async Task Request_NamingAVersionOrNot_ReachesThatVersionsInstance(string path, string? header, string? value, string expected, string forwarded)
    {
        Start(("Versioning:Query", "api-version"), ("Versioning:PathSegment", "true"), ("Versioning:Default", "1"));
        using var request = new HttpRequestMessage(HttpMethod.Get, path);
        if (header is not null)
        {
            request.Headers.Add(header, value);
        }

        using var response = await _client.SendAsync(request);

        response.StatusCode.ShouldBe(HttpStatusCode.OK);
        response.Headers.GetValues("X-Backend").Single().ShouldBe(expected);
        (expected == "one" ? _one : _two).Proxied().ShouldHaveSingleItem().RawTarget.ShouldBe(forwarded);
    }

    [Fact]
    public async Task Request_UnknownVersion_Is404ListingTheVersions()
    {
        Start(("Versioning:PathSegment", "true"));
        using var request = new HttpRequestMessage(HttpMethod.Get, "/users/list");
        request.Headers.Add("Api-Version", "3");

        using var byHeader = await _client.SendAsync(request);
        using var byPath = await _client.GetAsync("/users/v9/list");

        foreach (var response in new[] { byHeader, byPath })
        {
            response.StatusCode.ShouldBe(HttpStatusCode.NotFound);
            response.Content.Headers.ContentType!.MediaType.ShouldBe("application/problem+json");
            using var problem = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
            problem.RootElement.GetProperty("service").GetString().ShouldBe("users");
            problem.RootElement.GetProperty("versions").EnumerateArray().Select(v => v.GetString()).ShouldBe(["1", "2"]);
        }

        _one.Proxied().ShouldBeEmpty();
        _two.Proxied().ShouldBeEmpty();
    }

    [Theory]
    [InlineData("header:X-User")]
    [InlineData("cookie:session")]
    public async Task Split_StickyKey_KeepsEachClientOnOneVersion(string stickyBy)
    {
        Start(("Split:Weights:1", "50"), ("Split:Weights:2", "50"), ("Split:StickyBy", stickyBy));
        var byClient = new Dictionary<int, HashSet<string>>();

        for (var round = 0; round < 3; round++)
        {
            for (var client = 0; client < 30; client++)
            {
                using var request = new HttpRequestMessage(HttpMethod.Get, "/users/list");
                request.Headers.Add(stickyBy.StartsWith("header", StringComparison.Ordinal) ? "X-User" : "Cookie",
                    stickyBy.StartsWith("header", StringComparison.Ordinal) ? $"user-{client}" : $"theme=dark; session=s{client}");
                using var response = await _client.SendAsync(request);
                response.StatusCode.ShouldBe(HttpStatusCode.OK);
                (byClient.TryGetValue(client, out var seen) ? seen : byClient[client] = []).Add(response.Headers.GetValues("X-Backend").Single());
            }
        }

        byClient.Values.ShouldAllBe(backends => backends.Count == 1);
        byClient.Values.Select(backends => backends.Single()).Distinct().Count().ShouldBe(2);
    }

    [Fact]
    public async Task Split_ChangedThroughTheAdminApi_RoutesByTheNewWeightsAndShowsThem()
    {
        Start(("Split:Weights:1", "100"), ("Split:Weights:2", "0"), ("Split:StickyBy", "header:X-User"));
        var before = await _client.AnsweredByAsync("/users/list", 10);

        using var changed = await AdminAsync(HttpMethod.Put, "/admin/services/users/split", new { weights = new Dictionary<string, int> { ["1"] = 0, ["2"] = 100 } });
        var after = await _client.AnsweredByAsync("/users/list", 10);

        changed.StatusCode.ShouldBe(HttpStatusCode.OK, await changed.Content.ReadAsStringAsync());
        before.ShouldAllBe(backend => backend == "one");
        after.ShouldAllBe(backend => backend == "two");
        using var services = await _client.GetFromJsonAsync<JsonDocument>("/services");
        var users = services!.RootElement.GetProperty("services").EnumerateArray().Single(s => s.GetProperty("name").GetString() == "users");
        users.GetProperty("split").GetProperty("weights").GetProperty("2").GetInt32().ShouldBe(100);
        users.GetProperty("split").GetProperty("stickyBy").GetString().ShouldBe("header:X-User");
        var instance = await ServicesView.InstanceAsync(_client, "users", _two.Port);
        instance.GetProperty("version").GetString().ShouldBe("2");
        instance.GetProperty("metadata").GetProperty("zone").GetString().ShouldBe("b");
    }

    [Theory]
    [InlineData("""{"weights": {"1": -1, "2": 5}}""", "weights.1")]
    [InlineData("""{"weights": {"1": 0}}""", "weights")]
    [InlineData("""{"weights": {"3": 10}}""", "weights.3")]
    [InlineData("""{"weights": {"1": "ten"}}""", "weights")]
    [InlineData("""{}""", "weights")]
    public async Task Split_InvalidWeights_Is400NamingTheFieldAndChangesNothing(string body, string field)
    {
        Start(("Split:Weights:1", "100"));

        using var refused = await AdminAsync(HttpMethod.Put, "/admin/services/users/split", body);

        refused.StatusCode.ShouldBe(HttpStatusCode.BadRequest);
        refused.Content.Headers.ContentType!.MediaType.ShouldBe("application/problem+json");
        using var problem = JsonDocument.Parse(await refused.Content.ReadAsStringAsync());
        problem.RootElement.GetProperty("field").GetString().ShouldBe(field);
        (await _client.AnsweredByAsync("/users/list", 4)).ShouldAllBe(backend => backend == "one");
    }

    [Fact]
    public async Task Split_UnknownService_Is404()
    {
        Start();

        using var response = await AdminAsync(HttpMethod.Put, "/admin/services/nobody/split", new { weights = new Dictionary<string, int> { ["1"] = 1 } });

        response.StatusCode.ShouldBe(HttpStatusCode.NotFound);
    }

    [Fact]
    public async Task Split_VersionDown_ItsShareGoesToTheOther()
    {
        Start(("Split:Weights:1", "10"), ("Split:Weights:2", "90"));
        using (var taken = await AdminAsync(
            HttpMethod.Post, $"/admin/services/users/instances/127.0.0.1:{_two.Port}/override", new { @out = true, minutes = 0, reason = "canary broken" }))
        {
            taken.StatusCode.ShouldBe(HttpStatusCode.OK);
        }

        var answers = await _client.AnswersAsync("/users/list", 20);

        answers.ShouldAllBe(answer => answer == "200 one");
    }

    [Fact]
    public async Task Request_NoVersionNoSplitNoDefault_GoesToAnyInstance()
    {
        Start();

        var answeredBy = await _client.AnsweredByAsync("/users/list", 4);

        answeredBy.ShouldBe(["one", "two", "one", "two"]);
    }

    [Fact]
    public async Task Metrics_CountRequestsPerVersion()
    {
        Start(("Versioning:Default", "1"));
        using var named = new HttpRequestMessage(HttpMethod.Get, "/users/list");
        named.Headers.Add("Api-Version", "2");
        using (await _client.SendAsync(named))
        {
        }

        await _client.AnsweredByAsync("/users/list", 2);
        var metrics = await _client.GetStringAsync("/metrics");

        metrics.ShouldContain("gateway_version_requests_total{service=\"users\",version=\"1\"} 2");
        metrics.ShouldContain("gateway_version_requests_total{service=\"users\",version=\"2\"} 1");
    }

    [Fact]
    public async Task Register_WithAVersion_IsRoutedAsThatVersion()
    {
        Start();
        await using var three = await TestBackend.StartAsync("three");

        using var registered = await AdminAsync(
            HttpMethod.Post, "/admin/services/users/instances", new { host = "127.0.0.1", port = three.Port, version = "3", metadata = new { zone = "c" } });
        using var refused = await AdminAsync(HttpMethod.Post, "/admin/services/users/instances", new { host = "127.0.0.1", port = three.Port, version = "3/4" });
        using var request = new HttpRequestMessage(HttpMethod.Get, "/users/list");
        request.Headers.Add("Api-Version", "3");
        using var routed = await _client.SendAsync(request);

        registered.StatusCode.ShouldBe(HttpStatusCode.Created, await registered.Content.ReadAsStringAsync());
        refused.StatusCode.ShouldBe(HttpStatusCode.BadRequest);
        using (var problem = JsonDocument.Parse(await refused.Content.ReadAsStringAsync()))
        {
            problem.RootElement.GetProperty("field").GetString().ShouldBe("version");
        }

        routed.Headers.GetValues("X-Backend").Single().ShouldBe("three");
        (await ServicesView.InstanceAsync(_client, "users", three.Port)).GetProperty("metadata").GetProperty("zone").GetString().ShouldBe("c");
    }

    private void Start(params (string Key, string Value)[] settings)
    {
        _gateway = new GatewayFactory()
            .With("GATEWAY_ADMIN_KEY", Key)
            .With("Gateway:Services:users:Instances:0:Host", "127.0.0.1")
            .With("Gateway:Services:users:Instances:0:Port", _one.Port.ToString(CultureInfo.InvariantCulture))
            .With("Gateway:Services:users:Instances:0:Version", "1")
            .With("Gateway:Services:users:Instances:1:Host", "127.0.0.1")
            .With("Gateway:Services:users:Instances:1:Port", _two.Port.ToString(CultureInfo.InvariantCulture))
            .With("Gateway:Services:users:Instances:1:Version", "2")
            .With("Gateway:Services:users:Instances:1:Metadata:zone", "b");
        foreach (var (key, value) in settings)
        {
            _gateway.With($"Gateway:Services:users:{key}", value);
        }

        _client = _gateway.CreateRawClient();
    }

    private Task<HttpResponseMessage> AdminAsync(HttpMethod method, string path, object body)
    {
        var request = new HttpRequestMessage(method, path)
        {
            Content = body is string text ? new StringContent(text, System.Text.Encoding.UTF8, "application/json") : JsonContent.Create(body),
        };
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", Key);
        return _client.SendAsync(request);
    }
}
