using System.Net;
using Gateway.IntegrationTests.Support;
using Google.Protobuf;
using Grpc.Core;

namespace Gateway.IntegrationTests.Grpc;

/// <summary>
/// gRPC end to end: a Grpc.Net.Client client, the gateway (over TLS, and over its h2c port) and a Grpc.AspNetCore
/// instance that speaks only h2c. Every call kind, large and long streams, deadlines, cancellation and trailers.
/// </summary>
public sealed class GrpcTests(GrpcGatewayFixture fixture) : IClassFixture<GrpcGatewayFixture>
{
    /// <summary>How long a condition may take on a loaded machine; nothing here asserts speed.</summary>
    private static readonly TimeSpan Deadline = TimeSpan.FromSeconds(30);

    [Theory]
    [InlineData(GrpcGatewayFixture.Tls)]
    [InlineData(GrpcGatewayFixture.H2c)]
    public async Task Unary_ThroughTheGateway_AnswersWithTheInstancesTrailers(string via)
    {
        using var channel = fixture.Channel(via);
        var client = new Echo.EchoClient(channel);

        using var call = client.UnaryAsync(new Message { Text = "hello " + via });
        var reply = await call.ResponseAsync;

        reply.Text.ShouldBe("hello " + via);
        call.GetStatus().StatusCode.ShouldBe(StatusCode.OK);
        call.GetTrailers().GetValue(GrpcBackend.TrailerName).ShouldBe("hello " + via);
    }

    [Theory]
    [InlineData(GrpcGatewayFixture.Tls)]
    [InlineData(GrpcGatewayFixture.H2c)]
    public async Task Unary_TenMegabyteMessage_ComesBackWhole(string via)
    {
        using var channel = fixture.Channel(via);
        var client = new Echo.EchoClient(channel);
        var payload = new byte[10 * 1024 * 1024];
        new Random(13).NextBytes(payload);

        var reply = await client.UnaryAsync(new Message { Text = "large", Payload = ByteString.CopyFrom(payload) });

        reply.Payload.Length.ShouldBe(payload.Length);
        reply.Payload.Span.SequenceEqual(payload).ShouldBeTrue();
    }

    [Theory]
    [InlineData(GrpcGatewayFixture.Tls)]
    [InlineData(GrpcGatewayFixture.H2c)]
    public async Task Unary_InstanceFails_ClientSeesItsStatusMessageAndTrailers(string via)
    {
        using var channel = fixture.Channel(via);
        var client = new Echo.EchoClient(channel);

        var error = await Should.ThrowAsync<RpcException>(async () => await client.UnaryAsync(new Message { Text = "fail:not yours" }));

        error.StatusCode.ShouldBe(StatusCode.PermissionDenied);
        error.Status.Detail.ShouldBe("not yours");
        error.Trailers.GetValue(GrpcBackend.TrailerName).ShouldBe("failed");
    }

    [Theory]
    [InlineData(GrpcGatewayFixture.Tls)]
    [InlineData(GrpcGatewayFixture.H2c)]
    public async Task ServerStream_TenThousandMessages_AllArriveInOrder(string via)
    {
        using var channel = fixture.Channel(via);
        var client = new Echo.EchoClient(channel);

        using var call = client.ServerStream(new StreamRequest { Count = 10_000 });
        var expected = 0;
        await foreach (var message in call.ResponseStream.ReadAllAsync())
        {
            message.Text.ShouldBe(expected.ToString(System.Globalization.CultureInfo.InvariantCulture));
            expected++;
        }

        expected.ShouldBe(10_000);
        call.GetStatus().StatusCode.ShouldBe(StatusCode.OK);
        call.GetTrailers().GetValue(GrpcBackend.TrailerName).ShouldBe("10000");
    }

    [Theory]
    [InlineData(GrpcGatewayFixture.Tls)]
    [InlineData(GrpcGatewayFixture.H2c)]
    public async Task ClientStream_ManyMessages_InstanceCountsThemAll(string via)
    {
        using var channel = fixture.Channel(via);
        var client = new Echo.EchoClient(channel);
        var payload = ByteString.CopyFrom(new byte[1000]);

        using var call = client.ClientStream();
        for (var i = 0; i < 500; i++)
        {
            await call.RequestStream.WriteAsync(new Message { Payload = payload });
        }

        await call.RequestStream.CompleteAsync();
        var summary = await call.ResponseAsync;

        summary.Count.ShouldBe(500);
        summary.Bytes.ShouldBe(500 * 1000);
    }

    [Theory]
    [InlineData(GrpcGatewayFixture.Tls)]
    [InlineData(GrpcGatewayFixture.H2c)]
    public async Task Duplex_EachReplyArrivesBeforeTheNextRequestIsSent(string via)
    {
        using var channel = fixture.Channel(via);
        var client = new Echo.EchoClient(channel);
        using var timeout = new CancellationTokenSource(Deadline);

        using var call = client.Duplex(cancellationToken: timeout.Token);
        // The instance's headers reach the client while the request stream is open and still empty.
        var headers = await call.ResponseHeadersAsync;
        headers.GetValue("x-duplex").ShouldBe("ready");
        for (var i = 0; i < 50; i++)
        {
            var text = "ping " + i;
            await call.RequestStream.WriteAsync(new Message { Text = text }, timeout.Token);
            (await call.ResponseStream.MoveNext(timeout.Token)).ShouldBeTrue();
            call.ResponseStream.Current.Text.ShouldBe(text);
        }

        await call.RequestStream.CompleteAsync();
        (await call.ResponseStream.MoveNext(timeout.Token)).ShouldBeFalse();
        call.GetStatus().StatusCode.ShouldBe(StatusCode.OK);
    }

    [Theory]
    [InlineData(GrpcGatewayFixture.Tls)]
    [InlineData(GrpcGatewayFixture.H2c)]
    public async Task Deadline_Expires_ClientSeesDeadlineExceededAndTheInstanceTheCancellation(string via)
    {
        using var channel = fixture.Channel(via);
        var client = new Echo.EchoClient(channel);
        var name = "deadline " + via;

        // Long enough for the call to reach the instance on a loaded machine, which the assertion below needs.
        var error = await Should.ThrowAsync<RpcException>(async () =>
            await client.HangAsync(new Message { Text = name }, deadline: DateTime.UtcNow.AddSeconds(5)));

        error.StatusCode.ShouldBe(StatusCode.DeadlineExceeded);
        await Eventually.TrueAsync(() => fixture.Backend.Cancelled.Contains(name), Deadline, "the instance to see the call cancelled");
    }

    [Theory]
    [InlineData(GrpcGatewayFixture.Tls)]
    [InlineData(GrpcGatewayFixture.H2c)]
    public async Task ServerStream_ClientCancelsMidStream_TheInstanceSeesTheCancellation(string via)
    {
        using var channel = fixture.Channel(via);
        var client = new Echo.EchoClient(channel);
        using var cancel = new CancellationTokenSource();
        var cancelledBefore = fixture.Backend.Cancelled.Count(c => c == "stream");

        using var call = client.ServerStream(new StreamRequest { Count = 100, HangAfter = 10 }, cancellationToken: cancel.Token);
        for (var i = 0; i < 10; i++)
        {
            (await call.ResponseStream.MoveNext(CancellationToken.None)).ShouldBeTrue();
        }

        await cancel.CancelAsync();

        var error = await Should.ThrowAsync<RpcException>(async () => await call.ResponseStream.MoveNext(CancellationToken.None));
        error.StatusCode.ShouldBe(StatusCode.Cancelled);
        await Eventually.TrueAsync(
            () => fixture.Backend.Cancelled.Count(c => c == "stream") > cancelledBefore, Deadline, "the instance to see the call cancelled");
    }

    [Theory]
    [InlineData(GrpcGatewayFixture.Tls)]
    [InlineData(GrpcGatewayFixture.H2c)]
    public async Task UnknownService_AnswersNotFoundTheGrpcWay(string via)
    {
        using var channel = fixture.Channel(via, "no-such-service");
        var client = new Echo.EchoClient(channel);

        var error = await Should.ThrowAsync<RpcException>(async () => await client.UnaryAsync(new Message { Text = "x" }));

        error.StatusCode.ShouldBe(StatusCode.NotFound);
        error.Status.Detail.ShouldContain("no-such-service");
    }

    [Theory]
    [InlineData(GrpcGatewayFixture.Tls)]
    [InlineData(GrpcGatewayFixture.H2c)]
    public async Task UnreachableInstance_AnswersUnavailableTheGrpcWay(string via)
    {
        using var channel = fixture.Channel(via, "dead");
        var client = new Echo.EchoClient(channel);

        var error = await Should.ThrowAsync<RpcException>(async () => await client.UnaryAsync(new Message { Text = "x" }));

        error.StatusCode.ShouldBe(StatusCode.Unavailable);
        error.Status.Detail.ShouldContain("dead");
    }

    [Theory]
    [InlineData(GrpcGatewayFixture.Tls)]
    [InlineData(GrpcGatewayFixture.H2c)]
    public async Task RequestTimeout_AnswersDeadlineExceededTheGrpcWay(string via)
    {
        using var channel = fixture.Channel(via, "slow");
        var client = new Echo.EchoClient(channel);
        var name = "timeout " + via;

        var error = await Should.ThrowAsync<RpcException>(async () => await client.HangAsync(new Message { Text = name }));

        error.StatusCode.ShouldBe(StatusCode.DeadlineExceeded);
        error.Status.Detail.ShouldContain("slow");
        await Eventually.TrueAsync(() => fixture.Backend.Cancelled.Contains(name), Deadline, "the instance to see the call cancelled");
    }

    [Fact]
    public async Task GrpcFailure_IsATrailersOnlyResponse()
    {
        using var client = new HttpClient(new SocketsHttpHandler { UseProxy = false });
        using var request = new HttpRequestMessage(HttpMethod.Post, new Uri(fixture.H2cAddress, "/no-such-service/gateway.tests.Echo/Unary"))
        {
            Version = HttpVersion.Version20,
            VersionPolicy = HttpVersionPolicy.RequestVersionExact,
            Content = new ByteArrayContent([0, 0, 0, 0, 0]),
        };
        request.Content.Headers.ContentType = new("application/grpc");

        using var response = await client.SendAsync(request);
        var body = await response.Content.ReadAsByteArrayAsync();

        response.StatusCode.ShouldBe(HttpStatusCode.OK);
        response.Headers.GetValues("grpc-status").ShouldBe(["5"]);
        response.Headers.GetValues("grpc-message").Single().ShouldContain("no-such-service");
        response.Content.Headers.ContentType!.MediaType.ShouldBe("application/grpc");
        body.ShouldBeEmpty();
    }

    [Theory]
    [InlineData(GrpcGatewayFixture.Tls)]
    [InlineData(GrpcGatewayFixture.H2c)]
    public async Task Http2Client_ResponseWithTrailers_GetsThemAfterTheBody(string via)
    {
        var (address, handler) = via == GrpcGatewayFixture.Tls
            ? (fixture.TlsAddress, fixture.Certificate.CreateHandler())
            : (fixture.H2cAddress, new SocketsHttpHandler { UseProxy = false });
        using var client = new HttpClient(handler);
        using var request = new HttpRequestMessage(HttpMethod.Get, new Uri(address, "/echo/trailers"))
        {
            Version = HttpVersion.Version20,
            VersionPolicy = HttpVersionPolicy.RequestVersionExact,
        };

        using var response = await client.SendAsync(request);
        var body = await response.Content.ReadAsStringAsync();

        response.Version.ShouldBe(HttpVersion.Version20);
        body.ShouldBe("body before the trailers");
        response.TrailingHeaders.GetValues("x-checksum").ShouldBe(["c0ffee"]);
    }

    [Fact]
    public async Task HealthProbe_H2cInstance_IsProbedOverHttp2AndStaysHealthy()
    {
        using var client = new HttpClient(fixture.Certificate.CreateHandler()) { BaseAddress = fixture.TlsAddress };

        await Eventually.TrueAsync(
            () => ServicesView.HasBeenCheckedAsync(client, "echo", fixture.Backend.Port), Deadline, "the first health check");

        fixture.Backend.ProbeProtocols.ShouldNotBeEmpty();
        fixture.Backend.ProbeProtocols.ShouldAllBe(protocol => protocol == "HTTP/2");
        (await ServicesView.IsHealthyAsync(client, "echo", fixture.Backend.Port)).ShouldBeTrue();
        (await ServicesView.InstanceAsync(client, "echo", fixture.Backend.Port)).GetProperty("scheme").GetString().ShouldBe("h2c");
    }

    [Fact]
    public async Task TlsPort_Http11Client_IsStillServed()
    {
        using var client = new HttpClient(fixture.Certificate.CreateHandler());
        using var request = new HttpRequestMessage(HttpMethod.Get, new Uri(fixture.TlsAddress, "/echo/trailers"))
        {
            Version = HttpVersion.Version11,
            VersionPolicy = HttpVersionPolicy.RequestVersionExact,
        };

        using var response = await client.SendAsync(request);

        response.Version.ShouldBe(HttpVersion.Version11);
        (await response.Content.ReadAsStringAsync()).ShouldBe("body before the trailers");
    }

    [Fact]
    public async Task H2cPort_Http11Client_IsToldItSpeaksOnlyHttp2()
    {
        using var client = new HttpClient(new SocketsHttpHandler { UseProxy = false });
        using var request = new HttpRequestMessage(HttpMethod.Get, new Uri(fixture.H2cAddress, "/echo/trailers"))
        {
            Version = HttpVersion.Version11,
            VersionPolicy = HttpVersionPolicy.RequestVersionExact,
        };

        using var response = await client.SendAsync(request);

        // Kestrel's own answer: the request never reaches the gateway.
        response.StatusCode.ShouldBe(HttpStatusCode.BadRequest);
        (await response.Content.ReadAsStringAsync()).ShouldContain("HTTP/2 only");
    }
}
