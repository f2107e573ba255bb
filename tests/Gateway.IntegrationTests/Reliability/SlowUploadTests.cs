using System.Net;
using Gateway.IntegrationTests.Support;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;

namespace Gateway.IntegrationTests.Reliability;

/// <summary>REQUEST_TIMEOUT bounds the wait for an answer once the request is sent, not the client's upload.</summary>
public sealed class SlowUploadTests : IAsyncLifetime
{
    private static readonly TimeSpan Deadline = TimeSpan.FromSeconds(30);

    private TestBackend _backend = null!;

    public async Task InitializeAsync() => _backend = await TestBackend.StartAsync();

    public async Task DisposeAsync() => await _backend.DisposeAsync();

    [Fact]
    public async Task UploadLastingFarLongerThanTheRequestTimeout_AtASteadyRate_Succeeds()
    {
        // The clock moves only when the test moves it: 0.9 s after each piece has reached the instance, so the
        // upload lasts 36 s of the gateway's time against a 1 s timeout, however slowly this machine runs.
        var clock = new FakeTimeProvider(DateTimeOffset.UnixEpoch);
        long received = 0;
        _backend.Handler = async context =>
        {
            var buffer = new byte[16 * 1024];
            int read;
            while ((read = await context.Request.Body.ReadAsync(buffer, context.RequestAborted)) > 0)
            {
                Interlocked.Add(ref received, read);
            }
        };
        await using var gateway = new GatewayFactory()
            .With("REQUEST_TIMEOUT", "1")
            .WithService("svc", _backend)
            .WithServices(services => services.AddSingleton<TimeProvider>(clock));
        using var client = gateway.CreateRawClient();
        client.Timeout = TimeSpan.FromMinutes(2);
        const int PieceSize = 16 * 1024;

        using var content = new SteadyContent(pieces: 40, pieceSize: PieceSize, afterPiece: async piece =>
        {
            await Eventually.TrueAsync(
                () => Task.FromResult(Interlocked.Read(ref received) >= (piece + 1L) * PieceSize), Deadline, $"piece {piece} at the instance");
            clock.Advance(TimeSpan.FromSeconds(0.9));
        });
        using var response = await client.PostAsync("/svc/raw/upload", content);

        response.StatusCode.ShouldBe(HttpStatusCode.OK, await response.Content.ReadAsStringAsync());
        Interlocked.Read(ref received).ShouldBe(40 * PieceSize);
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

        using var content = new SteadyContent(pieces: 3, pieceSize: 1024, afterPiece: _ => Task.CompletedTask);
        using var response = await client.PostAsync("/svc/upload", content);

        response.StatusCode.ShouldBe(HttpStatusCode.GatewayTimeout);
    }

    /// <summary>A chunked body written a piece at a time, each sent before <paramref name="afterPiece"/> runs.</summary>
    private sealed class SteadyContent(int pieces, int pieceSize, Func<int, Task> afterPiece) : HttpContent
    {
        protected override async Task SerializeToStreamAsync(Stream stream, TransportContext? context)
        {
            var piece = new byte[pieceSize];
            for (var i = 0; i < pieces; i++)
            {
                await stream.WriteAsync(piece);
                await stream.FlushAsync();
                await afterPiece(i);
            }
        }

        protected override bool TryComputeLength(out long length)
        {
            length = 0;
            return false;
        }
    }
}
