using System.Net;
using Gateway.IntegrationTests.Support;

namespace Gateway.IntegrationTests.Proxying;

/// <summary>Headers named in Connection, and those that only ever travel so, stay behind in both directions.</summary>
public sealed class ConnectionHeaderTests : OneServiceGateway
{
    [Fact]
    public async Task EveryHeaderConnectionNames_StaysBehind()
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, "/svc/h");
        request.Headers.TryAddWithoutValidation("Connection", "X-One, x-two");
        request.Headers.TryAddWithoutValidation("X-One", "1");
        request.Headers.TryAddWithoutValidation("X-Two", "2");
        request.Headers.TryAddWithoutValidation("X-Three", "3");

        using var response = await Client.SendAsync(request);

        response.StatusCode.ShouldBe(HttpStatusCode.OK);
        var headers = Backend.Received.ShouldHaveSingleItem().Headers;
        headers.Keys.ShouldNotContain("X-One");
        headers.Keys.ShouldNotContain("X-Two");
        headers["X-Three"].ShouldBe(["3"]);
    }

    [Fact]
    public async Task Http2Settings_StaysBehind_EvenWhenKestrelCutsConnectionToKeepAlive()
    {
        // Kestrel hands the app "Connection: keep-alive" here: the names beside it are lost to the gateway.
        var raw = "GET /svc/h HTTP/1.1\r\nHost: gateway\r\nConnection: keep-alive, HTTP2-Settings\r\n"
            + "HTTP2-Settings: AAMAAABkAARAAAAAAAIAAAAA\r\nX-Kept: yes\r\n\r\n"
            + "GET /svc/last HTTP/1.1\r\nHost: gateway\r\nConnection: close\r\n\r\n";

        var response = await RawConnection.SendAsync(Gateway.BaseAddress, raw);

        response.StatusCode.ShouldBe(200);
        var first = Backend.Received.First().Headers;
        first.Keys.ShouldNotContain("HTTP2-Settings");
        first["X-Kept"].ShouldBe(["yes"]);
    }

    [Fact]
    public async Task ResponseHeadersTheInstanceNamesInConnection_StayBehind()
    {
        Backend.Handler = context =>
        {
            context.Response.Headers.Connection = "X-Upstream-Hop";
            context.Response.Headers["X-Upstream-Hop"] = "secret";
            context.Response.Headers["HTTP2-Settings"] = "AAMAAABk";
            context.Response.Headers["X-Kept"] = "yes";
            return Task.CompletedTask;
        };

        using var response = await Client.GetAsync("/svc/h");

        response.StatusCode.ShouldBe(HttpStatusCode.OK);
        response.Headers.Contains("X-Upstream-Hop").ShouldBeFalse();
        response.Headers.Contains("HTTP2-Settings").ShouldBeFalse();
        response.Headers.GetValues("X-Kept").ShouldBe(["yes"]);
    }
}
