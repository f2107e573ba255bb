using System.Net;
using Gateway.IntegrationTests.Support;

namespace Gateway.IntegrationTests.Shaping;

/// <summary><c>Transforms</c> through the real gateway: what the instance receives and what the client sees.</summary>
public sealed class TransformTests : IAsyncLifetime
{
    private TestBackend _backend = null!;
    private GatewayFactory _gateway = null!;
    private HttpClient _client = null!;

    public async Task InitializeAsync()
    {
        _backend = await TestBackend.StartAsync();
        _backend.Handler = context =>
        {
            context.Response.Headers.Server = "backend/1.0";
            context.Response.Headers["X-Powered-By"] = "backend";
            context.Response.Headers["X-Resp-Tags"] = "backend";
            context.Response.Headers["X-Cache"] = "miss";
            return TestBackend.DefaultHandler(context);
        };
        const string Orders = "Gateway:Services:orders:Transforms";
        _gateway = new GatewayFactory()
            .WithService("orders", _backend)
            .WithService("plain", _backend)
            .With($"{Orders}:RequestHeaders:Set:X-From-Gateway", "yes")
            .With($"{Orders}:RequestHeaders:Set:X-Client", "{ClientIp}")
            .With($"{Orders}:RequestHeaders:Set:X-Request", "req-{RequestId}")
            .With($"{Orders}:RequestHeaders:Set:X-Route", "{Service} via {Instance} {{literal}}")
            .With($"{Orders}:RequestHeaders:Append:X-Tags", "gateway")
            .With($"{Orders}:RequestHeaders:Remove:0", "X-Debug")
            .With($"{Orders}:ResponseHeaders:Set:X-Cache", "{Service}@{Instance}")
            .With($"{Orders}:ResponseHeaders:Append:X-Resp-Tags", "gateway")
            .With($"{Orders}:ResponseHeaders:Remove:0", "Server")
            .With($"{Orders}:ResponseHeaders:Remove:1", "X-Powered-By")
            .With($"{Orders}:PathPrefix", "/api");
        _client = _gateway.CreateRawClient();
    }

    public async Task DisposeAsync()
    {
        _client.Dispose();
        await _gateway.DisposeAsync();
        await _backend.DisposeAsync();
    }

    [Fact]
    public async Task RequestHeaders_AreSetAppendedAndRemovedBeforeForwarding()
    {
        using var response = await SendAsync("/orders/users", ("X-From-Gateway", "forged"), ("X-Tags", "client"), ("X-Debug", "1"), ("X-Kept", "k"));

        response.StatusCode.ShouldBe(HttpStatusCode.OK);
        var headers = _backend.Received.ShouldHaveSingleItem().Headers;
        headers["X-From-Gateway"].ShouldBe(["yes"]);
        string.Join(", ", headers["X-Tags"]).ShouldBe("client, gateway");
        headers.Keys.ShouldNotContain("X-Debug");
        headers["X-Kept"].ShouldBe(["k"]);
    }

    [Fact]
    public async Task RequestHeaderAppend_WithoutTheClientsHeader_AddsIt()
    {
        using var response = await SendAsync("/orders/users");

        _backend.Received.ShouldHaveSingleItem().Headers["X-Tags"].ShouldBe(["gateway"]);
    }

    [Fact]
    public async Task Variables_AreTheClientTheRequestTheServiceAndTheInstance()
    {
        using var response = await SendAsync("/orders/users");

        var headers = _backend.Received.ShouldHaveSingleItem().Headers;
        var instance = $"127.0.0.1:{_backend.Port}";
        headers["X-Client"].ShouldBe(["127.0.0.1"]);
        headers["X-Request"].ShouldBe([$"req-{response.Headers.GetValues("X-Trace-Id").Single()}"]);
        headers["X-Route"].ShouldBe([$"orders via {instance} {{literal}}"]);
        response.Headers.GetValues("X-Cache").ShouldBe([$"orders@{instance}"]);
    }

    [Fact]
    public async Task ResponseHeaders_AreSetAppendedAndRemovedBeforeTheClientSeesThem()
    {
        using var response = await SendAsync("/orders/users");

        response.Headers.Contains("Server").ShouldBeFalse();
        response.Headers.Contains("X-Powered-By").ShouldBeFalse();
        string.Join(", ", response.Headers.GetValues("X-Resp-Tags")).ShouldBe("backend, gateway");
        response.Headers.GetValues("X-Gateway-Service").ShouldBe(["orders"]);
        response.Headers.GetValues("X-Gateway-Instance").ShouldBe([$"127.0.0.1:{_backend.Port}"]);
    }

    [Fact]
    public async Task PathPrefix_IsPutBeforeTheForwardedPath_AndTheQueryStaysAsSent()
    {
        using var response = await SendAsync("/orders/users/42?fields=a%2Cb&x");

        response.StatusCode.ShouldBe(HttpStatusCode.OK);
        var received = _backend.Received.ShouldHaveSingleItem();
        received.RawTarget.ShouldBe("/api/users/42?fields=a%2Cb&x");
        received.Headers["X-Forwarded-Prefix"].ShouldBe(["/orders"]);
    }

    [Fact]
    public async Task ServiceWithoutTransforms_IsForwardedUnchanged()
    {
        using var response = await SendAsync("/plain/users", ("X-Debug", "1"), ("X-Tags", "client"));

        var received = _backend.Received.ShouldHaveSingleItem();
        received.RawTarget.ShouldBe("/users");
        received.Headers["X-Debug"].ShouldBe(["1"]);
        received.Headers["X-Tags"].ShouldBe(["client"]);
        received.Headers.Keys.ShouldNotContain("X-From-Gateway");
        response.Headers.GetValues("Server").ShouldBe(["backend/1.0"]);
        response.Headers.GetValues("X-Cache").ShouldBe(["miss"]);
    }

    private async Task<HttpResponseMessage> SendAsync(string path, params (string Name, string Value)[] headers)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, path);
        foreach (var (name, value) in headers)
        {
            request.Headers.TryAddWithoutValidation(name, value);
        }

        return await _client.SendAsync(request);
    }
}
