using System.Net;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Gateway.IntegrationTests.Support;

namespace Gateway.IntegrationTests.Registration;

/// <summary><c>auth</c> and <c>rateLimit</c> in a registered service's settings, put in force at run time.</summary>
public sealed partial class AdminApiTests
{
    private const string MobileKey = "mobile-key-0123456789";

    [Fact]
    public async Task ConfigureService_ApiKey_RefusesRequestsWithoutTheKeyAndForwardsItsName()
    {
        await RegisteredAsync("dyn", _a);

        using var response = await AdminAsync(HttpMethod.Put, "/admin/services/dyn", new { auth = ApiKeyAuth() });
        using var missing = await _client.GetAsync("/dyn/items");
        using var wrong = await GetWithKeyAsync("/dyn/items", "not-the-key");
        var refusedCalls = _a.Proxied().Count;
        using var right = await GetWithKeyAsync("/dyn/items", MobileKey);

        response.StatusCode.ShouldBe(HttpStatusCode.OK);
        missing.StatusCode.ShouldBe(HttpStatusCode.Unauthorized);
        missing.Content.Headers.ContentType!.MediaType.ShouldBe("application/problem+json");
        wrong.StatusCode.ShouldBe(HttpStatusCode.Unauthorized);
        refusedCalls.ShouldBe(0);
        right.StatusCode.ShouldBe(HttpStatusCode.OK);
        var headers = _a.Proxied().ShouldHaveSingleItem().Headers;
        headers["X-Api-Key-Name"].ShouldBe(["mobile"]);
        headers.Keys.ShouldNotContain("X-Api-Key");
    }

    [Fact]
    public async Task ConfigureService_Answer_ShowsTheAuthTypeAndTheLimit_NeverTheKeyHashes()
    {
        await RegisteredAsync("dyn", _a);

        using var response = await AdminAsync(
            HttpMethod.Put, "/admin/services/dyn", new { auth = ApiKeyAuth(), rateLimit = new { permitsPerSecond = 5, partitionBy = "api_key" } });
        var text = await response.Content.ReadAsStringAsync();
        var services = await _client.GetStringAsync("/services");

        response.StatusCode.ShouldBe(HttpStatusCode.OK, text);
        using var body = JsonDocument.Parse(text);
        body.RootElement.GetProperty("auth").GetProperty("type").GetString().ShouldBe("api_key");
        body.RootElement.GetProperty("auth").EnumerateObject().Count().ShouldBe(1);
        var limit = body.RootElement.GetProperty("rateLimit");
        (limit.GetProperty("permitsPerSecond").GetDouble(), limit.GetProperty("burst").GetInt32(), limit.GetProperty("partitionBy").GetString())
            .ShouldBe((5d, 5, "api_key"));
        foreach (var secret in new[] { MobileKey, Sha256(MobileKey) })
        {
            (text + services + string.Join('\n', _logs.Rendered())).ShouldNotContain(secret, Case.Insensitive);
        }
    }

    [Fact]
    public async Task ConfigureService_RateLimit_Is429WithHeaders_AndItsBucketsOutliveUnrelatedChanges()
    {
        await RegisteredAsync("dyn", _a);
        using (var configured = await AdminAsync(HttpMethod.Put, "/admin/services/dyn", new { rateLimit = new { permitsPerSecond = 0.001, burst = 2 } }))
        {
            configured.StatusCode.ShouldBe(HttpStatusCode.OK);
        }

        using var first = await _client.GetAsync("/dyn/1");
        using var second = await _client.GetAsync("/dyn/2");
        using var refused = await _client.GetAsync("/dyn/3");
        await RegisteredAsync("dyn", _b);
        await RegisteredAsync("other", _b);
        using var afterRegistrations = await _client.GetAsync("/dyn/4");
        using (var changed = await AdminAsync(HttpMethod.Put, "/admin/services/dyn", new { rateLimit = new { permitsPerSecond = 0.001, burst = 3 } }))
        {
            changed.StatusCode.ShouldBe(HttpStatusCode.OK);
        }

        using var afterNewLimit = await _client.GetAsync("/dyn/5");

        first.StatusCode.ShouldBe(HttpStatusCode.OK);
        first.Headers.GetValues("RateLimit-Policy").ShouldBe(["\"default\";q=2;w=2000"]);
        second.StatusCode.ShouldBe(HttpStatusCode.OK);
        await ProblemAsync(refused, HttpStatusCode.TooManyRequests);
        int.Parse(refused.Headers.GetValues("Retry-After").Single(), System.Globalization.CultureInfo.InvariantCulture).ShouldBeGreaterThanOrEqualTo(1);
        refused.Headers.GetValues("RateLimit").ShouldHaveSingleItem().ShouldStartWith("\"default\";r=0;");
        afterRegistrations.StatusCode.ShouldBe(HttpStatusCode.TooManyRequests);
        afterNewLimit.StatusCode.ShouldBe(HttpStatusCode.OK);
        (_a.Proxied().Count + _b.Proxied().Count).ShouldBe(3);
    }

    [Fact]
    public async Task ConfigureService_WithoutAuth_TakesItAway_AsItDoesTheLoadBalancer()
    {
        await RegisteredAsync("dyn", _a);
        using (var secured = await AdminAsync(HttpMethod.Put, "/admin/services/dyn", new { loadBalancer = "random", auth = ApiKeyAuth() }))
        {
            secured.StatusCode.ShouldBe(HttpStatusCode.OK);
        }

        using var refused = await _client.GetAsync("/dyn/1");
        using (var plain = await AdminAsync(HttpMethod.Put, "/admin/services/dyn", new { healthCheckPath = "/health" }))
        {
            plain.StatusCode.ShouldBe(HttpStatusCode.OK);
        }

        using var open = await _client.GetAsync("/dyn/2");

        refused.StatusCode.ShouldBe(HttpStatusCode.Unauthorized);
        open.StatusCode.ShouldBe(HttpStatusCode.OK);
        (await ServicesAsync(_client))["dyn"].LoadBalancer.ShouldBe("round_robin");
    }

    [Theory]
    [InlineData("""{"auth":{"type":"jwt","issuer":"https://issuer.test","audiences":["api"],"jwksUrl":"ftp://keys"}}""", "auth.jwksUrl")]
    [InlineData("""{"auth":{"type":"jwt","issuer":"https://issuer.test","audiences":["api"],"jwksUrl":"http://k","algorithms":["none"]}}""", "auth.algorithms")]
    [InlineData("""{"auth":{"type":"api_key","keys":[{"name":"m","sha256":"abc"}]}}""", "auth.keys[0].sha256")]
    [InlineData("""{"auth":{"kind":"api_key"}}""", "auth.type")]
    [InlineData("""{"auth":"api_key"}""", "auth")]
    [InlineData("""{"rateLimit":{"permitsPerSecond":-1}}""", "rateLimit.permitsPerSecond")]
    [InlineData("""{"rateLimit":{"permitsPerSecond":1,"partitionBy":"claim:sub"}}""", "rateLimit.partitionBy")]
    [InlineData("""{"rateLimit":{"permitsPerSecond":1,"burst":1.5}}""", "rateLimit.burst")]
    public async Task ConfigureService_InvalidPolicy_Answers400NamingTheFieldAndChangesNothing(string body, string field)
    {
        await RegisteredAsync("dyn", _a);

        using var response = await AdminAsync(HttpMethod.Put, "/admin/services/dyn", Json(body));
        using var proxied = await _client.GetAsync("/dyn/1");

        var problem = await ProblemAsync(response, HttpStatusCode.BadRequest);
        problem.GetProperty("field").GetString().ShouldBe(field);
        problem.GetProperty("detail").GetString().ShouldStartWith($"{field}: ");
        proxied.StatusCode.ShouldBe(HttpStatusCode.OK);
    }

    [Fact]
    public async Task ConfigureService_PolicyForAConfiguredService_Answers409AndLeavesItOpen()
    {
        using var response = await AdminAsync(HttpMethod.Put, "/admin/services/orders", new { auth = ApiKeyAuth() });
        using var proxied = await _client.GetAsync("/orders/1");

        await ProblemAsync(response, HttpStatusCode.Conflict);
        proxied.StatusCode.ShouldBe(HttpStatusCode.OK);
    }

    private async Task<HttpResponseMessage> GetWithKeyAsync(string path, string key)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, path);
        request.Headers.Add("X-Api-Key", key);
        return await _client.SendAsync(request);
    }

    private static object ApiKeyAuth() => new { type = "api_key", keys = new[] { new { name = "mobile", sha256 = Sha256(MobileKey) } } };

    private static string Sha256(string key) => Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(key)));
}
