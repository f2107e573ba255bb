using System.Net;
using System.Net.Http.Json;
using Gateway.IntegrationTests.Support;

namespace Gateway.IntegrationTests.Proxying;

/// <summary>The contract's Proxying section, against real backends.</summary>
public sealed class ForwardingTests : IAsyncLifetime
{
    private TestBackend _first = null!;
    private TestBackend _second = null!;
    private GatewayFactory _gateway = null!;
    private HttpClient _client = null!;

    public async Task InitializeAsync()
    {
        _first = await TestBackend.StartAsync("first");
        _second = await TestBackend.StartAsync("second");
        _gateway = new GatewayFactory().WithService("svc", _first, _second).WithService("solo", _first);
        _client = _gateway.CreateRawClient();
    }

    public async Task DisposeAsync()
    {
        _client.Dispose();
        await _gateway.DisposeAsync();
        await _first.DisposeAsync();
        await _second.DisposeAsync();
    }

    [Theory]
    [InlineData("GET")]
    [InlineData("HEAD")]
    [InlineData("POST")]
    [InlineData("PUT")]
    [InlineData("PATCH")]
    [InlineData("DELETE")]
    [InlineData("OPTIONS")]
    [InlineData("PROPFIND")]
    public async Task AnyMethod_ReachesTheInstanceWithTheSameMethod(string method)
    {
        using var request = new HttpRequestMessage(new HttpMethod(method), "/solo/items/7");

        using var response = await _client.SendAsync(request);

        response.StatusCode.ShouldBe(HttpStatusCode.OK);
        var received = _first.Received.ShouldHaveSingleItem();
        received.Method.ShouldBe(method);
        received.RawTarget.ShouldBe("/items/7");
    }

    [Theory]
    [InlineData("/solo/a%2Fb%41?x=%20&y=%2f", "/a%2Fb%41?x=%20&y=%2f")]
    [InlineData("/solo/caf%C3%A9/%7euser/./x", "/caf%C3%A9/%7euser/./x")]
    [InlineData("/solo", "/")]
    [InlineData("/solo/", "/")]
    [InlineData("/solo?q=1", "/?q=1")]
    [InlineData("/solo//double//slash", "//double//slash")]
    [InlineData("/solo/a/../b", "/a/../b")]
    [InlineData("/solo/a/%2E%2E/b/./c", "/a/%2E%2E/b/./c")]
    [InlineData("/solo/..x/a..", "/..x/a..")]
    public async Task PathAndQuery_ReachTheInstanceByteForByte(string sent, string expected)
    {
        using var response = await _client.GetAsync(RawUri.For(_client.BaseAddress!, sent));

        response.StatusCode.ShouldBe(HttpStatusCode.OK);
        _first.Received.ShouldHaveSingleItem().RawTarget.ShouldBe(expected);
    }

    [Theory]
    [InlineData("/svc/../solo/a")]
    [InlineData("/svc/x/../../solo/a")]
    [InlineData("/svc/%2E%2E/solo/a")]
    [InlineData("/svc/.%2e/solo/a?q=1")]
    [InlineData("/unknown/../solo/a")]
    [InlineData("/./solo/a")]
    public async Task DotSegments_LeavingTheServiceSegment_Are400AndReachNoInstance(string sent)
    {
        using var response = await _client.GetAsync(RawUri.For(_client.BaseAddress!, sent));

        response.StatusCode.ShouldBe(HttpStatusCode.BadRequest);
        response.Content.Headers.ContentType!.MediaType.ShouldBe("application/problem+json");
        (await response.Content.ReadFromJsonAsync<ProblemView>())!.Title.ShouldBe("Ambiguous request path");
        _first.Received.ShouldBeEmpty();
        _second.Received.ShouldBeEmpty();
    }

    [Theory]
    [InlineData("http://gateway/svc/..\\solo/a")]
    [InlineData("http://gateway/svc/%2e%2e\\solo/a")]
    public async Task DotSegmentsWithBackslashInAnAbsoluteFormTarget_Are400AndReachNoInstance(string target)
    {
        // The server turns an absolute-form target's backslashes into slashes before it resolves dot segments.
        var answer = await RawConnection.SendAsync(_client.BaseAddress!, $"GET {target} HTTP/1.1\r\nHost: gateway\r\nConnection: close\r\n\r\n");

        answer.StatusCode.ShouldBe(400, answer.Text);
        answer.Text.ShouldContain("Ambiguous request path");
        _first.Received.ShouldBeEmpty();
    }

    private sealed record ProblemView(string Title, int Status);

    [Fact]
    public async Task ProxiedResponse_CarriesGatewayHeaders()
    {
        using var response = await _client.GetAsync("/solo/x");

        response.Headers.GetValues("X-Gateway-Service").ShouldBe(["solo"]);
        response.Headers.GetValues("X-Gateway-Instance").ShouldBe([$"127.0.0.1:{_first.Port}"]);
        response.Headers.GetValues("X-Gateway-Response-Time").Single().ShouldMatch(@"^\d+\.\d{3}ms$");
    }

    [Fact]
    public async Task RoundRobin_AlternatesBetweenTwoRealBackends()
    {
        var answeredBy = new List<string>();

        for (var i = 0; i < 6; i++)
        {
            using var response = await _client.GetAsync("/svc/who");
            answeredBy.Add(response.Headers.GetValues("X-Backend").Single());
        }

        answeredBy.ShouldBe(["first", "second", "first", "second", "first", "second"]);
    }

    [Fact]
    public async Task GatewayEndpoints_WinOverTheCatchAll()
    {
        var health = await _client.GetFromJsonAsync<Dictionary<string, object>>("/health");

        health!["status"].ToString().ShouldBe("healthy");
        _first.Received.ShouldBeEmpty();
    }
}
