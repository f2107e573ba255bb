using System.Net;
using Gateway.IntegrationTests.Support;

namespace Gateway.IntegrationTests.Proxying;

/// <summary>The contract's CORS section: preflights are the gateway's to answer, everything else is forwarded.</summary>
public sealed class CorsTests : IAsyncLifetime
{
    private const string AllowedOrigin = "https://app.example";
    private const string OtherOrigin = "https://evil.example";

    private TestBackend _backend = null!;
    private GatewayFactory _anyOrigin = null!;
    private GatewayFactory _oneOrigin = null!;

    public async Task InitializeAsync()
    {
        _backend = await TestBackend.StartAsync();
        // Each factory starts only when a test first uses it.
        _anyOrigin = new GatewayFactory().WithService("svc", _backend);
        _oneOrigin = new GatewayFactory().With("CORS_ORIGINS", AllowedOrigin).WithService("svc", _backend);
    }

    public async Task DisposeAsync()
    {
        await _anyOrigin.DisposeAsync();
        await _oneOrigin.DisposeAsync();
        await _backend.DisposeAsync();
    }

    [Fact]
    public async Task Preflight_DefaultOrigins_Is204WithAllowHeaders_AndIsNotForwarded()
    {
        using var client = _anyOrigin.CreateRawClient();
        using var request = Preflight("https://anywhere.example");

        using var response = await client.SendAsync(request);

        response.StatusCode.ShouldBe(HttpStatusCode.NoContent);
        response.Headers.GetValues("Access-Control-Allow-Origin").ShouldBe(["*"]);
        ShouldAllowTheRequestedMethodAndHeaders(response);
        _backend.Proxied().ShouldBeEmpty();
    }

    [Fact]
    public async Task Preflight_FromAllowedOrigin_Is204WithAllowHeaders_AndIsNotForwarded()
    {
        using var client = _oneOrigin.CreateRawClient();
        using var request = Preflight(AllowedOrigin);

        using var response = await client.SendAsync(request);

        response.StatusCode.ShouldBe(HttpStatusCode.NoContent);
        response.Headers.GetValues("Access-Control-Allow-Origin").ShouldBe([AllowedOrigin]);
        ShouldAllowTheRequestedMethodAndHeaders(response);
        _backend.Proxied().ShouldBeEmpty();
    }

    [Fact]
    public async Task Preflight_FromOtherOrigin_Is204WithoutAllowHeaders_AndIsNotForwarded()
    {
        using var client = _oneOrigin.CreateRawClient();
        using var request = Preflight(OtherOrigin);

        using var response = await client.SendAsync(request);

        response.StatusCode.ShouldBe(HttpStatusCode.NoContent);
        response.Headers.Contains("Access-Control-Allow-Origin").ShouldBeFalse();
        response.Headers.Contains("Access-Control-Allow-Methods").ShouldBeFalse();
        response.Headers.Contains("Access-Control-Allow-Headers").ShouldBeFalse();
        _backend.Proxied().ShouldBeEmpty();
    }

    [Fact]
    public async Task Get_DefaultOrigins_IsForwardedWithAllowOrigin()
    {
        using var client = _anyOrigin.CreateRawClient();
        using var request = CrossOriginGet("https://anywhere.example");

        using var response = await client.SendAsync(request);

        response.StatusCode.ShouldBe(HttpStatusCode.OK);
        response.Headers.GetValues("Access-Control-Allow-Origin").ShouldBe(["*"]);
        _backend.Proxied().ShouldHaveSingleItem().RawTarget.ShouldBe("/items");
    }

    [Fact]
    public async Task Get_FromAllowedOrigin_IsForwardedWithAllowOrigin()
    {
        using var client = _oneOrigin.CreateRawClient();
        using var request = CrossOriginGet(AllowedOrigin);

        using var response = await client.SendAsync(request);

        response.StatusCode.ShouldBe(HttpStatusCode.OK);
        response.Headers.GetValues("Access-Control-Allow-Origin").ShouldBe([AllowedOrigin]);
        _backend.Proxied().ShouldHaveSingleItem().RawTarget.ShouldBe("/items");
        // A browser script may read only what is exposed: who answered, the trace id, and rate-limit advice.
        string.Join(",", response.Headers.GetValues("Access-Control-Expose-Headers")).Split(',', StringSplitOptions.TrimEntries).ShouldBe(
            ["X-Gateway-Service", "X-Gateway-Instance", "X-Gateway-Response-Time", "X-Trace-Id", "Retry-After", "RateLimit-Policy", "RateLimit"],
            ignoreOrder: true);
    }

    [Fact]
    public async Task Get_FromEachOfSeveralAllowedOrigins_IsAnsweredWithThatOrigin()
    {
        const string secondOrigin = "http://admin.example:8080";
        await using var gateway = new GatewayFactory()
            .With("CORS_ORIGINS", $"{AllowedOrigin}, {secondOrigin}")
            .WithService("svc", _backend);
        using var client = gateway.CreateRawClient();

        var allowed = new List<string?>();
        foreach (var origin in new[] { AllowedOrigin, secondOrigin, OtherOrigin })
        {
            using var request = CrossOriginGet(origin);
            using var response = await client.SendAsync(request);
            response.StatusCode.ShouldBe(HttpStatusCode.OK);
            allowed.Add(response.Headers.TryGetValues("Access-Control-Allow-Origin", out var values) ? values.Single() : null);
        }

        allowed.ShouldBe([AllowedOrigin, secondOrigin, null]);
    }

    [Fact]
    public async Task Get_FromOtherOrigin_IsForwardedWithoutAllowOrigin()
    {
        using var client = _oneOrigin.CreateRawClient();
        using var request = CrossOriginGet(OtherOrigin);

        using var response = await client.SendAsync(request);

        response.StatusCode.ShouldBe(HttpStatusCode.OK);
        response.Headers.Contains("Access-Control-Allow-Origin").ShouldBeFalse();
        _backend.Proxied().ShouldHaveSingleItem().RawTarget.ShouldBe("/items");
    }

    [Theory]
    [InlineData(null, null)]
    [InlineData(AllowedOrigin, null)]
    [InlineData(null, "PUT")]
    public async Task Options_WithoutBothPreflightHeaders_IsForwarded(string? origin, string? requestMethod)
    {
        using var client = _oneOrigin.CreateRawClient();
        using var request = new HttpRequestMessage(HttpMethod.Options, "/svc/items");
        if (origin is not null)
        {
            request.Headers.Add("Origin", origin);
        }

        if (requestMethod is not null)
        {
            request.Headers.Add("Access-Control-Request-Method", requestMethod);
        }

        using var response = await client.SendAsync(request);

        response.StatusCode.ShouldBe(HttpStatusCode.OK);
        var received = _backend.Proxied().ShouldHaveSingleItem();
        received.Method.ShouldBe("OPTIONS");
        received.RawTarget.ShouldBe("/items");
    }

    private static HttpRequestMessage Preflight(string origin)
    {
        var request = new HttpRequestMessage(HttpMethod.Options, "/svc/items");
        request.Headers.Add("Origin", origin);
        request.Headers.Add("Access-Control-Request-Method", "PUT");
        request.Headers.Add("Access-Control-Request-Headers", "content-type, x-request-id");
        return request;
    }

    private static HttpRequestMessage CrossOriginGet(string origin)
    {
        var request = new HttpRequestMessage(HttpMethod.Get, "/svc/items");
        request.Headers.Add("Origin", origin);
        return request;
    }

    private static void ShouldAllowTheRequestedMethodAndHeaders(HttpResponseMessage response)
    {
        AllValues(response, "Access-Control-Allow-Methods").ShouldContain("PUT");
        var headers = AllValues(response, "Access-Control-Allow-Headers");
        headers.ShouldContain(h => h.Equals("content-type", StringComparison.OrdinalIgnoreCase));
        headers.ShouldContain(h => h.Equals("x-request-id", StringComparison.OrdinalIgnoreCase));
    }

    /// <summary>A header's values with comma-separated lists split out, however the server chose to write them.</summary>
    private static List<string> AllValues(HttpResponseMessage response, string header) =>
        response.Headers.TryGetValues(header, out var values)
            ? [.. values.SelectMany(v => v.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries))]
            : [];
}
