using System.Net;
using Gateway.IntegrationTests.Support;

namespace Gateway.IntegrationTests.Reliability;

/// <summary>REQUEST_TIMEOUT bounds the wait for an answer once the request is sent, not the client's upload.</summary>
public sealed class SlowUploadTests : IAsyncLifetime
{
    private TestBackend _backend = null!;

    public async Task InitializeAsync() => _backend = await TestBackend.StartAsync();

    public async Task DisposeAsync() => await _backend.DisposeAsync();

    [Fact]
    public async Task UploadLastingFourTimesTheRequestTimeout_AtASteadyRate_Succeeds()
    {
        await using var gateway = new GatewayFactory().With("REQUEST_TIMEOUT", "1").WithService("svc", _backend);
        using var client = gateway.CreateRawClient();
        client.Timeout = TimeSpan.FromMinutes(1);

        // 40 pieces of 16 KiB, one every 100 ms: about 4 s of upload against a 1 s timeout.
        using var content = new SteadyContent(pieces: 40, pieceSize: 16 * 1024, interval: TimeSpan.FromMilliseconds(100));
        using var response = await client.PostAsync("/svc/upload", content);

        response.StatusCode.ShouldBe(HttpStatusCode.OK, await response.Content.ReadAsStringAsync());
        _backend.Received.ShouldHaveSingleItem().BodyLength.ShouldBe(40 * 16 * 1024);
    }

    [Fact]
    public async Task InstanceSilentAfterTheBody_Gets504()
    {
        _backend.Handler = async context =>
        {
            await context.Request.Body.CopyToAsync(Stream.Null, context.RequestAborted);
            await Task.Delay(Timeout.Infinite, context.RequestAborted);
        };
        await using var gateway = new GatewayFactory().With("REQUEST_TIMEOUT", "1").WithService("svc", _backend);
        using var client = gateway.CreateRawClient();

        using var content = new SteadyContent(pieces: 3, pieceSize: 1024, interval: TimeSpan.FromMilliseconds(10));
        using var response = await client.PostAsync("/svc/upload", content);

        response.StatusCode.ShouldBe(HttpStatusCode.GatewayTimeout);
    }

    /// <summary>A chunked body written a piece at a time, with a pause before each piece.</summary>
    private sealed class SteadyContent(int pieces, int pieceSize, TimeSpan interval) : HttpContent
    {
        protected override async Task SerializeToStreamAsync(Stream stream, TransportContext? context)
        {
            var piece = new byte[pieceSize];
            for (var i = 0; i < pieces; i++)
            {
                await Task.Delay(interval);
                await stream.WriteAsync(piece);
                await stream.FlushAsync();
            }
        }

        protected override bool TryComputeLength(out long length)
        {
            length = 0;
            return false;
        }
    }
}
