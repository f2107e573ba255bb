using System.Net;
using System.Net.Sockets;
using System.Text;
using Gateway.IntegrationTests.Support;
using Microsoft.AspNetCore.Http;

namespace Gateway.IntegrationTests.Proxying;

/// <summary>Which headers pass, which stay behind, and which the gateway adds, in both directions.</summary>
public sealed class HeaderTests : OneServiceGateway
{
    [Fact]
    public async Task HopByHopRequestHeaders_StayBehind_EndToEndOnesPass()
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, "/svc/h");
        request.Headers.TryAddWithoutValidation("Connection", "X-Per-Hop");
        request.Headers.TryAddWithoutValidation("X-Per-Hop", "secret");
        request.Headers.TryAddWithoutValidation("Keep-Alive", "timeout=5");
        request.Headers.TryAddWithoutValidation("Proxy-Connection", "keep-alive");
        request.Headers.TryAddWithoutValidation("TE", "gzip");
        request.Headers.TryAddWithoutValidation("Upgrade", "example/1");
        request.Headers.TryAddWithoutValidation("Trailer", "X-Checksum");
        request.Headers.TryAddWithoutValidation("X-End-To-End", "kept");
        request.Headers.TryAddWithoutValidation("Authorization", "Bearer abc");

        using var response = await Client.SendAsync(request);

        var headers = Backend.Received.ShouldHaveSingleItem().Headers;
        headers.Keys.ShouldNotContain("X-Per-Hop");
        headers.Keys.ShouldNotContain("Keep-Alive");
        headers.Keys.ShouldNotContain("Proxy-Connection");
        headers.Keys.ShouldNotContain("TE");
        headers.Keys.ShouldNotContain("Upgrade");
        headers.Keys.ShouldNotContain("Trailer");
        headers.Keys.ShouldNotContain("Connection");
        headers["X-End-To-End"].ShouldBe(["kept"]);
        headers["Authorization"].ShouldBe(["Bearer abc"]);
    }

    [Fact]
    public async Task TeTrailers_Passes()
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, "/svc/te");
        request.Headers.TryAddWithoutValidation("TE", "trailers");

        using var response = await Client.SendAsync(request);

        Backend.Received.ShouldHaveSingleItem().Headers["TE"].ShouldBe(["trailers"]);
    }

    [Fact]
    public async Task Host_BecomesTheInstanceAuthority_AndForwardedHeadersAreAdded()
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, "/svc/fwd");
        request.Headers.Host = "shop.example:8080";
        request.Headers.TryAddWithoutValidation("X-Forwarded-For", "203.0.113.7");
        request.Headers.TryAddWithoutValidation("X-Forwarded-Host", "spoofed.example");
        request.Headers.TryAddWithoutValidation("X-Forwarded-Prefix", "/spoofed");

        using var response = await Client.SendAsync(request);

        var headers = Backend.Received.ShouldHaveSingleItem().Headers;
        headers["Host"].ShouldBe([$"127.0.0.1:{Backend.Port}"]);
        headers["X-Forwarded-For"].ShouldBe(["203.0.113.7, 127.0.0.1"]);
        headers["X-Forwarded-Proto"].ShouldBe(["http"]);
        headers["X-Forwarded-Host"].ShouldBe(["shop.example:8080"]);
        headers["X-Forwarded-Prefix"].ShouldBe(["/svc"]);
    }

    [Fact]
    public async Task ContentHeaders_TravelWithTheBody()
    {
        using var content = new ByteArrayContent("{\"a\":1}"u8.ToArray());
        content.Headers.ContentType = new("application/json");
        content.Headers.ContentLanguage.Add("ko");

        using var response = await Client.PostAsync("/svc/body", content);

        var received = Backend.Received.ShouldHaveSingleItem();
        received.Headers["Content-Type"].ShouldBe(["application/json"]);
        received.Headers["Content-Language"].ShouldBe(["ko"]);
        received.Headers["Content-Length"].ShouldBe(["7"]);
        received.BodyLength.ShouldBe(7);
    }

    [Fact]
    public async Task ResponseStatusHeadersAndBody_PassBackUnchanged_MinusHopByHop()
    {
        Backend.Handler = async context =>
        {
            context.Response.StatusCode = StatusCodes.Status201Created;
            context.Response.Headers.Location = "/orders/42";
            context.Response.Headers["X-Upstream"] = "yes";
            context.Response.Headers["Keep-Alive"] = "timeout=5";
            context.Response.Headers["Proxy-Connection"] = "keep-alive";
            context.Response.Headers.Append("Set-Cookie", "a=1");
            context.Response.Headers.Append("Set-Cookie", "b=2");
            context.Response.ContentType = "text/plain; charset=utf-8";
            await context.Response.WriteAsync("created");
        };

        using var response = await Client.PostAsync("/svc/orders", new StringContent("x"));

        response.StatusCode.ShouldBe(HttpStatusCode.Created);
        response.Headers.Location!.OriginalString.ShouldBe("/orders/42");
        response.Headers.GetValues("X-Upstream").ShouldBe(["yes"]);
        response.Headers.GetValues("Set-Cookie").ShouldBe(["a=1", "b=2"]);
        response.Headers.Contains("Keep-Alive").ShouldBeFalse();
        response.Headers.Contains("Proxy-Connection").ShouldBeFalse();
        response.Content.Headers.ContentType!.ToString().ShouldBe("text/plain; charset=utf-8");
        (await response.Content.ReadAsStringAsync()).ShouldBe("created");
    }

    [Fact]
    public async Task AbsoluteFormTarget_CannotSteerTheRequestElsewhere()
    {
        var request = "GET http://evil.example/svc/inside?q=1 HTTP/1.1\r\nHost: evil.example\r\nConnection: close\r\n\r\n";

        var answer = await RawHttp.SendAsync(Client.BaseAddress!, request);

        answer.ShouldStartWith("HTTP/1.1 200");
        var received = Backend.Received.ShouldHaveSingleItem();
        received.RawTarget.ShouldBe("/inside?q=1");
        received.Headers["Host"].ShouldBe([$"127.0.0.1:{Backend.Port}"]);
    }

    [Fact]
    public async Task ProtocolRelativeLookingPath_StaysOnTheInstance()
    {
        using var response = await Client.GetAsync(RawUri.For(Client.BaseAddress!, "/svc//evil.example/x"));

        response.StatusCode.ShouldBe(HttpStatusCode.OK);
        Backend.Received.ShouldHaveSingleItem().RawTarget.ShouldBe("//evil.example/x");
    }
}

/// <summary>Speaks HTTP/1.1 over a bare socket, for requests no HttpClient would send.</summary>
public static class RawHttp
{
    public static async Task<string> SendAsync(Uri server, string request, CancellationToken cancellationToken = default)
    {
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(TimeSpan.FromSeconds(30));
        using var socket = new TcpClient();
        await socket.ConnectAsync(IPAddress.Loopback, server.Port, timeout.Token);
        var stream = socket.GetStream();
        await stream.WriteAsync(Encoding.ASCII.GetBytes(request), timeout.Token);
        using var reader = new StreamReader(stream, Encoding.ASCII);
        return await reader.ReadToEndAsync(timeout.Token);
    }
}
