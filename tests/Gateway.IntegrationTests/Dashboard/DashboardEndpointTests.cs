using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Gateway.IntegrationTests.Support;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;

namespace Gateway.IntegrationTests.Dashboard;

/// <summary>What the dashboard's page and data look like to a client, without a browser.</summary>
public sealed class DashboardEndpointTests : IAsyncLifetime
{
    private readonly FakeTimeProvider _clock = new(new DateTimeOffset(2026, 1, 1, 0, 0, 0, TimeSpan.Zero));
    private TestBackend _a = null!;
    private TestBackend _b = null!;
    private GatewayFactory _gateway = null!;
    private HttpClient _client = null!;

    public async Task InitializeAsync()
    {
        _a = await TestBackend.StartAsync("a");
        _b = await TestBackend.StartAsync("b");
        _gateway = new GatewayFactory()
            .WithService("orders", _a, _b)
            .WithService("users", "least_connections", _b)
            .WithServices(services => services.AddSingleton<TimeProvider>(_clock));
        _client = _gateway.CreateRawClient();
    }

    public async Task DisposeAsync()
    {
        _client.Dispose();
        await _gateway.DisposeAsync();
        await _a.DisposeAsync();
        await _b.DisposeAsync();
    }

    [Fact]
    public async Task Page_IsHtmlUnderAStrictContentSecurityPolicy_WithItsScriptInAFileOfItsOwn()
    {
        using var response = await _client.GetAsync("/dashboard");
        var html = await response.Content.ReadAsStringAsync();

        response.StatusCode.ShouldBe(HttpStatusCode.OK);
        response.Content.Headers.ContentType!.ToString().ShouldBe("text/html; charset=utf-8");
        var policy = response.Headers.GetValues("Content-Security-Policy").ShouldHaveSingleItem();
        policy.ShouldContain("default-src 'none'");
        policy.ShouldContain("script-src 'self'");
        policy.ShouldContain("connect-src 'self'");
        policy.ShouldNotContain("unsafe-inline");
        policy.ShouldNotContain("unsafe-eval");
        response.Headers.CacheControl!.NoCache.ShouldBeTrue();
        response.Headers.GetValues("X-Content-Type-Options").ShouldBe(["nosniff"]);
        html.ShouldContain("""<script src="/dashboard/app.js" defer></script>""");
        // Every script element loads a file: an inline one would be refused by the policy anyway.
        html.Split("<script").Skip(1).ShouldAllBe(element => element.TrimStart().StartsWith("src="));
        html.ShouldNotContain("http://");
        html.ShouldNotContain("https://");
    }

    [Theory]
    [InlineData("/dashboard/app.js", "text/javascript")]
    [InlineData("/dashboard/app.css", "text/css")]
    public async Task Assets_HaveTheirContentTypes_AndAre304WhileUnchanged(string path, string mediaType)
    {
        using var response = await _client.GetAsync(path);
        var etag = response.Headers.ETag.ShouldNotBeNull();
        using var again = new HttpRequestMessage(HttpMethod.Get, path);
        again.Headers.IfNoneMatch.Add(etag);
        using var revalidated = await _client.SendAsync(again);

        response.StatusCode.ShouldBe(HttpStatusCode.OK);
        response.Content.Headers.ContentType!.MediaType.ShouldBe(mediaType);
        response.Content.Headers.ContentType.CharSet.ShouldBe("utf-8");
        (await response.Content.ReadAsByteArrayAsync()).Length.ShouldBeGreaterThan(500);
        revalidated.StatusCode.ShouldBe(HttpStatusCode.NotModified);
    }

    [Fact]
    public async Task Dashboard_IsNoLongerAReservedServiceName_OtherPathsUnderItAre404_OtherMethods405()
    {
        using var page = await _client.GetAsync("/dashboard");
        using var unknown = await _client.GetAsync("/dashboard/nothing-here");
        using var post = await _client.PostAsync("/dashboard", null);
        var root = await _client.GetFromJsonAsync<JsonElement>("/");

        page.StatusCode.ShouldBe(HttpStatusCode.OK);
        unknown.StatusCode.ShouldBe(HttpStatusCode.NotFound);
        (await unknown.Content.ReadAsStringAsync()).ShouldNotContain("reserved");
        post.StatusCode.ShouldBe(HttpStatusCode.MethodNotAllowed);
        post.Content.Headers.Allow.ShouldBe(["GET", "HEAD"]);
        root.GetProperty("links").GetProperty("dashboard").GetString().ShouldBe("/dashboard");
        _a.Received.ShouldBeEmpty();
        _b.Received.ShouldBeEmpty();
    }

    [Fact]
    public async Task Data_ShowsEachServicesInstancesStrategyAndState_WithHistoryOnlyForTheServicesAsked()
    {
        using var response = await _client.GetAsync("/dashboard/data?series=orders");
        using var data = JsonDocument.Parse(await response.Content.ReadAsStringAsync());

        response.StatusCode.ShouldBe(HttpStatusCode.OK);
        response.Content.Headers.ContentType!.MediaType.ShouldBe("application/json");
        response.Headers.CacheControl!.NoStore.ShouldBeTrue();
        var root = data.RootElement;
        root.GetProperty("at").GetDateTimeOffset().ShouldBe(_clock.GetUtcNow());
        root.GetProperty("slotSeconds").GetInt32().ShouldBe(2);
        root.GetProperty("adminApi").GetBoolean().ShouldBeFalse();
        root.GetProperty("config").GetProperty("version").GetInt32().ShouldBe(1);
        var services = root.GetProperty("services").EnumerateArray().ToList();
        services.Select(s => s.GetProperty("name").GetString()).ShouldBe(["orders", "users"]);
        var orders = services[0];
        orders.GetProperty("loadBalancer").GetString().ShouldBe("round_robin");
        services[1].GetProperty("loadBalancer").GetString().ShouldBe("least_connections");
        var instance = orders.GetProperty("instances")[0];
        instance.GetProperty("id").GetString().ShouldBe($"127.0.0.1:{_a.Port}");
        instance.GetProperty("healthy").GetBoolean().ShouldBeTrue();
        instance.GetProperty("available").GetBoolean().ShouldBeTrue();
        instance.GetProperty("circuit").GetString().ShouldBe("closed");
        instance.GetProperty("override").ValueKind.ShouldBe(JsonValueKind.Null);
        instance.GetProperty("activeRequests").GetInt32().ShouldBe(0);
        orders.GetProperty("series").GetProperty("rate").GetArrayLength().ShouldBe(149);
        services[1].TryGetProperty("series", out _).ShouldBeFalse();
    }

    [Fact]
    public async Task Data_AfterTraffic_ShowsRateErrorsAndLatencyOfTheLastSeconds()
    {
        _b.Handler = context =>
        {
            context.Response.StatusCode = 500;
            return Task.CompletedTask;
        };
        (await _client.AnswersAsync("/orders/x", 10)).Count(answer => answer.StartsWith("500")).ShouldBe(5);

        // The period the requests ended in is over: it is the last one charted.
        _clock.Advance(TimeSpan.FromSeconds(2));
        var orders = (await DataAsync("orders")).GetProperty("services")[0];

        orders.GetProperty("rate").GetDouble().ShouldBe(1.0);
        orders.GetProperty("errorRate").GetDouble().ShouldBe(0.5);
        orders.GetProperty("p50").GetDouble().ShouldBeGreaterThan(0);
        orders.GetProperty("p99").GetDouble().ShouldBeGreaterThanOrEqualTo(orders.GetProperty("p50").GetDouble());
        var rate = orders.GetProperty("series").GetProperty("rate").EnumerateArray().Select(r => r.GetDouble()).ToList();
        rate[^1].ShouldBe(5.0);
        rate.Take(rate.Count - 1).ShouldAllBe(r => r == 0);
        orders.GetProperty("series").GetProperty("errorRate")[0].ValueKind.ShouldBe(JsonValueKind.Null);
        var failing = orders.GetProperty("instances").EnumerateArray().Single(i => i.GetProperty("id").GetString() == $"127.0.0.1:{_b.Port}");
        failing.GetProperty("errorRate").GetDouble().ShouldBe(1.0);
        failing.GetProperty("rate").GetDouble().ShouldBe(0.5);
    }

    private async Task<JsonElement> DataAsync(string series)
    {
        using var data = JsonDocument.Parse(await _client.GetStringAsync($"/dashboard/data?series={series}"));
        return data.RootElement.Clone();
    }
}
