using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Text.Json;
using Gateway.IntegrationTests.Support;
using Microsoft.AspNetCore.Http;

namespace Gateway.IntegrationTests.Proxying;

/// <summary>The contract's Errors section: what the gateway answers when it cannot, or must not, forward.</summary>
public sealed class ErrorTests : IAsyncLifetime
{
    private const int MaxBodySize = 1000;

    private TestBackend _backend = null!;
    private ScriptedServer _garbage = null!;
    private ScriptedServer _resetting = null!;
    private GatewayFactory _gateway = null!;
    private HttpClient _client = null!;

    public async Task InitializeAsync()
    {
        _backend = await TestBackend.StartAsync();
        _garbage = ScriptedServer.Start("this is not HTTP at all\r\n\r\n");
        _resetting = ScriptedServer.StartResetting();
        _gateway = new GatewayFactory()
            .With("MAX_REQUEST_BODY_SIZE", MaxBodySize.ToString(CultureInfo.InvariantCulture))
            // The start-up round of health checks would take the dead and the garbage instance out of balancing,
            // turning the 502s under test into 503s; here one failed probe is not enough for that.
            .With("Gateway:HealthChecks:UnhealthyThreshold", "1000")
            .WithService("svc", _backend)
            .WithService("empty");
        WithInstanceAt(_gateway, "down", Ports.Dead());
        WithInstanceAt(_gateway, "garbage", _garbage.Port);
        WithInstanceAt(_gateway, "resetting", _resetting.Port);
        _client = _gateway.CreateRawClient();
    }

    public async Task DisposeAsync()
    {
        _client.Dispose();
        await _gateway.DisposeAsync();
        await _garbage.DisposeAsync();
        await _resetting.DisposeAsync();
        await _backend.DisposeAsync();
    }

    [Fact]
    public async Task UnknownService_Is404Problem()
    {
        using var response = await _client.GetAsync("/nobody/x");

        await ShouldBeProblemAsync(response, HttpStatusCode.NotFound, "nobody");
        _backend.Proxied().ShouldBeEmpty();
    }

    [Theory]
    [InlineData("GET", "//svc/x")]
    [InlineData("POST", "//svc/x")]
    [InlineData("GET", "///")]
    [InlineData("DELETE", "//")]
    public async Task PathWithoutServiceSegment_Is404Problem(string method, string path)
    {
        using var request = new HttpRequestMessage(new HttpMethod(method), RawUri.For(_client.BaseAddress!, path));

        using var response = await _client.SendAsync(request);

        await ShouldBeProblemAsync(response, HttpStatusCode.NotFound, service: null);
        _backend.Proxied().ShouldBeEmpty();
    }

    [Fact]
    public async Task ServiceWithoutInstances_Is503Problem()
    {
        using var response = await _client.GetAsync("/empty/x");

        await ShouldBeProblemAsync(response, HttpStatusCode.ServiceUnavailable, "empty");
    }

    [Theory]
    [InlineData("down")] // refuses the connection
    [InlineData("garbage")] // answers bytes that are not HTTP
    [InlineData("resetting")] // resets the connection without an answer
    public async Task InstanceGivingNoHttpAnswer_Is502Problem(string service)
    {
        using var response = await _client.GetAsync($"/{service}/x");

        await ShouldBeProblemAsync(response, HttpStatusCode.BadGateway, service);
    }

    [Fact]
    public async Task OversizedRequestHeaders_Are431_AndTheGatewayKeepsServing()
    {
        var request = $"GET /svc/big HTTP/1.1\r\nHost: gateway\r\nX-Big: {new string('x', 64 * 1024)}\r\nConnection: close\r\n\r\n";

        var answer = await RawConnection.SendAsync(_client.BaseAddress!, request);

        answer.StatusCode.ShouldBe(431, answer.Text);
        _backend.Proxied().ShouldBeEmpty();
        await ShouldStillServeAsync();
    }

    [Fact]
    public async Task InstanceNotAnsweringWithinRequestTimeout_Is504ProblemSoonAfterTheTimeout()
    {
        _backend.Handler = context => Task.Delay(Timeout.Infinite, context.RequestAborted);
        await using var gateway = new GatewayFactory().With("REQUEST_TIMEOUT", "0.5").WithService("slow", _backend);
        using var client = gateway.CreateRawClient();
        var stopwatch = Stopwatch.StartNew();

        using var response = await client.GetAsync("/slow/x");

        stopwatch.Stop();
        await ShouldBeProblemAsync(response, HttpStatusCode.GatewayTimeout, "slow");
        // It waited for the timeout (allowing for timer granularity), and not much longer.
        stopwatch.Elapsed.ShouldBeGreaterThan(TimeSpan.FromSeconds(0.45));
        stopwatch.Elapsed.ShouldBeLessThan(TimeSpan.FromSeconds(10));
    }

    [Theory]
    [InlineData(404, "text/plain; charset=utf-8", "no such order")]
    [InlineData(500, "application/json", """{"error":"the database is down"}""")]
    public async Task UpstreamErrorStatus_PassesThroughUnchanged(int status, string contentType, string body)
    {
        _backend.Handler = async context =>
        {
            context.Response.StatusCode = status;
            context.Response.ContentType = contentType;
            await context.Response.WriteAsync(body);
        };

        using var response = await _client.GetAsync("/svc/orders/7");

        ((int)response.StatusCode).ShouldBe(status);
        response.Content.Headers.ContentType!.ToString().ShouldBe(contentType);
        (await response.Content.ReadAsStringAsync()).ShouldBe(body);
        response.Headers.GetValues("X-Gateway-Service").ShouldBe(["svc"]);
    }

    [Fact]
    public async Task BodyLargerThanMaxRequestBodySize_WithContentLength_Is413ProblemAndReachesNoInstance()
    {
        using var content = new ByteArrayContent(new byte[2 * MaxBodySize]);

        using var response = await _client.PostAsync("/svc/upload", content);

        await ShouldBeProblemAsync(response, HttpStatusCode.RequestEntityTooLarge, "svc");
        _backend.Proxied().ShouldBeEmpty();
    }

    [Fact]
    public async Task BodyLargerThanMaxRequestBodySize_Chunked_Is413Problem()
    {
        using var content = new StreamContent(new PatternStream(2 * MaxBodySize));
        content.Headers.ContentLength = null;
        using var request = new HttpRequestMessage(HttpMethod.Post, "/svc/upload") { Content = content };
        request.Headers.TransferEncodingChunked = true;

        using var response = await _client.SendAsync(request);

        // The instance may have seen the start of a request that then broke off; what matters is the client's answer.
        await ShouldBeProblemAsync(response, HttpStatusCode.RequestEntityTooLarge, "svc");
    }

    [Fact]
    public async Task BodyWithinMaxRequestBodySize_IsForwarded()
    {
        using var content = new ByteArrayContent(new byte[MaxBodySize]);

        using var response = await _client.PostAsync("/svc/upload", content);

        response.StatusCode.ShouldBe(HttpStatusCode.OK);
        _backend.Proxied().ShouldHaveSingleItem().BodyLength.ShouldBe(MaxBodySize);
    }

    [Theory]
    [InlineData("Content-Length: 5\r\nTransfer-Encoding: chunked\r\n", "5\r\nhello\r\n0\r\n\r\n")]
    [InlineData("Transfer-Encoding: chunked\r\nContent-Length: 5\r\n", "5\r\nhello\r\n0\r\n\r\n")]
    [InlineData("Content-Length: 5\r\nContent-Length: 6\r\n", "hello!")]
    [InlineData("Content-Length: 5, 6\r\n", "hello!")]
    public async Task AmbiguousFraming_Is400_ReachesNoInstance_AndTheGatewayKeepsServing(string framing, string body)
    {
        var request = $"POST /svc/smuggle HTTP/1.1\r\nHost: gateway\r\n{framing}Connection: close\r\n\r\n{body}";

        var answer = await RawConnection.SendAsync(_client.BaseAddress!, request);

        answer.StatusCode.ShouldBe(400, answer.Text);
        _backend.Proxied().ShouldBeEmpty();
        await ShouldStillServeAsync();
    }

    [Theory]
    [InlineData("GARBAGE\r\n\r\n")]
    [InlineData("GET /svc/x HTTP/1.1 trailing-junk\r\nHost: gateway\r\n\r\n")]
    [InlineData("GET /svc/x\r\nHost: gateway\r\n\r\n")]
    public async Task MalformedRequestLine_Is400_AndTheGatewayKeepsServing(string request)
    {
        var answer = await RawConnection.SendAsync(_client.BaseAddress!, request);

        answer.StatusCode.ShouldBe(400, answer.Text);
        _backend.Proxied().ShouldBeEmpty();
        await ShouldStillServeAsync();
    }

    private async Task ShouldStillServeAsync()
    {
        using var response = await _client.GetAsync("/svc/after");

        response.StatusCode.ShouldBe(HttpStatusCode.OK);
        _backend.Proxied().ShouldHaveSingleItem().RawTarget.ShouldBe("/after");
    }

    private static async Task ShouldBeProblemAsync(HttpResponseMessage response, HttpStatusCode status, string? service)
    {
        response.StatusCode.ShouldBe(status);
        response.Content.Headers.ContentType.ShouldNotBeNull().MediaType.ShouldBe("application/problem+json");
        using var problem = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        var root = problem.RootElement;
        root.GetProperty("status").GetInt32().ShouldBe((int)status);
        root.GetProperty("title").GetString().ShouldNotBeNullOrWhiteSpace();
        root.GetProperty("detail").GetString().ShouldNotBeNullOrWhiteSpace();
        if (service is not null)
        {
            root.GetProperty("service").GetString().ShouldBe(service);
        }
    }

    private static void WithInstanceAt(GatewayFactory gateway, string service, int port)
    {
        gateway
            .With($"Gateway:Services:{service}:Instances:0:Host", "127.0.0.1")
            .With($"Gateway:Services:{service}:Instances:0:Port", port.ToString(CultureInfo.InvariantCulture));
    }
}
