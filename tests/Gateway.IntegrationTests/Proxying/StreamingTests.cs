using System.Net;
using System.Net.Http.Json;
using System.Security.Cryptography;
using System.Text.Json;
using Gateway.IntegrationTests.Support;
using Microsoft.AspNetCore.Http;

namespace Gateway.IntegrationTests.Proxying;

/// <summary>Bodies stream both ways, large ones arrive intact, and a client that leaves takes its upstream call with it.</summary>
public sealed class StreamingTests : OneServiceGateway
{
    private static readonly TimeSpan Deadline = TimeSpan.FromSeconds(30);

    public override async Task InitializeAsync()
    {
        await base.InitializeAsync();
        Client.Timeout = TimeSpan.FromMinutes(2);
    }

    [Fact]
    public async Task Upload_50MB_ArrivesWithItsHashIntact()
    {
        const long size = 50L * 1024 * 1024;
        using var content = new StreamContent(new PatternStream(size));

        using var response = await Client.PostAsync("/svc/upload", content);

        response.StatusCode.ShouldBe(HttpStatusCode.OK);
        var received = Backend.Received.ShouldHaveSingleItem();
        received.BodyLength.ShouldBe(size);
        received.BodySha256.ShouldBe(PatternStream.Sha256Of(size));
    }

    [Fact]
    public async Task ChunkedUpload_ArrivesWithItsHashIntact()
    {
        const long size = 3L * 1024 * 1024 + 17;
        using var content = new StreamContent(new PatternStream(size));
        content.Headers.ContentLength = null;
        using var request = new HttpRequestMessage(HttpMethod.Put, "/svc/upload") { Content = content };
        request.Headers.TransferEncodingChunked = true;

        using var response = await Client.SendAsync(request);

        response.StatusCode.ShouldBe(HttpStatusCode.OK);
        var received = Backend.Received.ShouldHaveSingleItem();
        received.BodyLength.ShouldBe(size);
        received.BodySha256.ShouldBe(PatternStream.Sha256Of(size));
    }

    [Fact]
    public async Task Download_200MB_ArrivesWithItsHashIntact()
    {
        const long size = 200L * 1024 * 1024;
        Backend.Handler = async context =>
        {
            context.Response.ContentLength = size;
            await using var body = new PatternStream(size);
            await body.CopyToAsync(context.Response.Body, context.RequestAborted);
        };

        using var response = await Client.GetAsync("/svc/download", HttpCompletionOption.ResponseHeadersRead);
        await using var stream = await response.Content.ReadAsStreamAsync();
        var hash = await SHA256.HashDataAsync(stream);

        response.Content.Headers.ContentLength.ShouldBe(size);
        Convert.ToHexStringLower(hash).ShouldBe(PatternStream.Sha256Of(size));
    }

    [Fact]
    public async Task SlowResponse_ReachesTheClientChunkByChunk()
    {
        var secondChunkAllowed = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        Backend.Handler = async context =>
        {
            await context.Response.WriteAsync("first|", context.RequestAborted);
            await context.Response.Body.FlushAsync(context.RequestAborted);
            // The backend holds the rest back until the client has seen the first chunk: if the gateway buffered
            // the response, the client would never see it and the test would hit its deadline.
            await secondChunkAllowed.Task.WaitAsync(Deadline, context.RequestAborted);
            await context.Response.WriteAsync("second", context.RequestAborted);
        };

        using var response = await Client.GetAsync("/svc/slow", HttpCompletionOption.ResponseHeadersRead);
        // Sent while the body is held back, so it measures the wait for the instance's headers, not for its body.
        var responseTime = response.Headers.GetValues("X-Gateway-Response-Time").Single();
        await using var stream = await response.Content.ReadAsStreamAsync();
        var first = await ReadAtLeastAsync(stream, "first|".Length);
        secondChunkAllowed.SetResult();
        var rest = await new StreamReader(stream).ReadToEndAsync();

        first.ShouldBe("first|");
        rest.ShouldBe("second");
        responseTime.ShouldMatch(@"^\d+\.\d{3}ms$");
    }

    [Fact]
    public async Task SlowUpload_ReachesTheInstanceBeforeItEnds()
    {
        var firstChunkSeen = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        Backend.Handler = async context =>
        {
            var buffer = new byte[5];
            await context.Request.Body.ReadExactlyAsync(buffer, context.RequestAborted);
            firstChunkSeen.SetResult();
            var rest = await new StreamReader(context.Request.Body).ReadToEndAsync(context.RequestAborted);
            await context.Response.WriteAsync(System.Text.Encoding.ASCII.GetString(buffer) + rest);
        };
        var content = new GatedContent("hello", " world", firstChunkSeen.Task);

        using var request = new HttpRequestMessage(HttpMethod.Post, "/svc/raw/upload") { Content = content };
        using var response = await Client.SendAsync(request);

        (await response.Content.ReadAsStringAsync()).ShouldBe("hello world");
    }

    [Fact]
    public async Task ClientDisconnect_CancelsTheUpstreamCall_AndReleasesTheInstance()
    {
        var upstreamCancelled = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var upstreamStarted = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        Backend.Handler = async context =>
        {
            context.RequestAborted.Register(() => upstreamCancelled.TrySetResult());
            upstreamStarted.SetResult();
            await Task.Delay(Timeout.Infinite, context.RequestAborted);
        };
        using var leaving = new CancellationTokenSource();

        var call = Client.GetAsync("/svc/hang", leaving.Token);
        await upstreamStarted.Task.WaitAsync(Deadline);
        await leaving.CancelAsync();

        await Should.ThrowAsync<OperationCanceledException>(call);
        await upstreamCancelled.Task.WaitAsync(Deadline);
        await Eventually.TrueAsync(async () => await ActiveRequestsAsync() == 0, Deadline);
    }

    [Fact]
    public async Task ClientLeavingMidDownload_ClosesTheUpstreamResponse_AndReleasesTheInstance()
    {
        var upstreamCancelled = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        Backend.Handler = async context =>
        {
            context.RequestAborted.Register(() => upstreamCancelled.TrySetResult());
            var chunk = new byte[64 * 1024];
            while (!context.RequestAborted.IsCancellationRequested)
            {
                await context.Response.Body.WriteAsync(chunk, context.RequestAborted);
            }
        };

        using (var response = await Client.GetAsync("/svc/endless", HttpCompletionOption.ResponseHeadersRead))
        {
            await using var stream = await response.Content.ReadAsStreamAsync();
            await stream.ReadExactlyAsync(new byte[256 * 1024]);
        }

        await upstreamCancelled.Task.WaitAsync(Deadline);
        await Eventually.TrueAsync(async () => await ActiveRequestsAsync() == 0, Deadline);
    }

    private async Task<int> ActiveRequestsAsync()
    {
        using var document = await Client.GetFromJsonAsync<JsonDocument>("/services");
        return document!.RootElement.GetProperty("services")[0].GetProperty("instances")[0].GetProperty("activeRequests").GetInt32();
    }

    private static async Task<string> ReadAtLeastAsync(Stream stream, int count)
    {
        var buffer = new byte[count];
        await stream.ReadExactlyAsync(buffer).AsTask().WaitAsync(Deadline);
        return System.Text.Encoding.ASCII.GetString(buffer);
    }

    /// <summary>Sends its first part, waits for a signal, then sends the second: a client that uploads slowly.</summary>
    private sealed class GatedContent(string first, string second, Task gate) : HttpContent
    {
        protected override async Task SerializeToStreamAsync(Stream stream, TransportContext? context)
        {
            await stream.WriteAsync(System.Text.Encoding.ASCII.GetBytes(first));
            await stream.FlushAsync();
            await gate.WaitAsync(Deadline);
            await stream.WriteAsync(System.Text.Encoding.ASCII.GetBytes(second));
        }

        protected override bool TryComputeLength(out long length)
        {
            length = -1;
            return false;
        }
    }
}
