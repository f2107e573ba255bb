using System.Collections.Concurrent;
using System.Net;
using Gateway.IntegrationTests.Grpc;
using Google.Protobuf;
using Grpc.Core;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Gateway.IntegrationTests.Support;

/// <summary>
/// A Grpc.AspNetCore instance on 127.0.0.1 and a free port that speaks only HTTP/2 with prior knowledge (h2c), as
/// gRPC services inside a cluster do. It records the calls it saw cancelled, and the protocol of each health probe.
/// </summary>
public sealed class GrpcBackend : IAsyncDisposable
{
    public const string TrailerName = "x-echo-trailer";

    private WebApplication? _app;

    public int Port { get; private set; }

    /// <summary>The <c>text</c> of each call whose cancellation the instance saw (a deadline, or the client gone).</summary>
    public ConcurrentQueue<string> Cancelled { get; } = new();

    /// <summary>The <c>text</c> of each call that reached the instance.</summary>
    public ConcurrentQueue<string> Started { get; } = new();

    /// <summary>The protocol of each health probe.</summary>
    public ConcurrentQueue<string> ProbeProtocols { get; } = new();

    public static async Task<GrpcBackend> StartAsync()
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.ConfigureKestrel(kestrel =>
        {
            kestrel.Listen(IPAddress.Loopback, 0, listen => listen.Protocols = HttpProtocols.Http2);
            kestrel.Limits.MaxRequestBodySize = null;
        });
        builder.Services.AddGrpc(grpc =>
        {
            grpc.MaxReceiveMessageSize = 16 * 1024 * 1024;
            grpc.MaxSendMessageSize = 16 * 1024 * 1024;
        });
        var backend = new GrpcBackend();
        builder.Services.AddSingleton(backend);
        var app = builder.Build();
        backend._app = app;
        app.MapGrpcService<EchoService>();
        app.MapGet("/health", (HttpContext context) =>
        {
            backend.ProbeProtocols.Enqueue(context.Request.Protocol);
            return "healthy";
        });
        // A plain HTTP/2 response with trailers, for clients that are not gRPC.
        app.MapGet("/trailers", async (HttpContext context) =>
        {
            context.Response.DeclareTrailer("x-checksum");
            await context.Response.WriteAsync("body before the trailers");
            context.Response.AppendTrailer("x-checksum", "c0ffee");
        });
        await app.StartAsync();
        var address = app.Services.GetRequiredService<IServer>().Features.GetRequiredFeature<IServerAddressesFeature>().Addresses.Single();
        backend.Port = new Uri(address).Port;
        return backend;
    }

    public async ValueTask DisposeAsync()
    {
        if (_app is null)
        {
            return;
        }

        using var stop = new CancellationTokenSource(TimeSpan.FromSeconds(5));
        await _app.StopAsync(stop.Token);
        await _app.DisposeAsync();
    }

    private sealed class EchoService(GrpcBackend backend) : Echo.EchoBase
    {
        public override async Task<Message> Unary(Message request, ServerCallContext context)
        {
            backend.Started.Enqueue(request.Text);
            if (request.Text.StartsWith("fail:", StringComparison.Ordinal))
            {
                context.ResponseTrailers.Add(TrailerName, "failed");
                throw new RpcException(new Status(StatusCode.PermissionDenied, request.Text["fail:".Length..]));
            }

            await context.WriteResponseHeadersAsync([]);
            context.ResponseTrailers.Add(TrailerName, request.Text);
            return request;
        }

        public override async Task ServerStream(StreamRequest request, IServerStreamWriter<Message> responseStream, ServerCallContext context)
        {
            backend.Started.Enqueue("stream");
            var payload = ByteString.CopyFromUtf8("0123456789abcdef");
            for (var i = 0; i < request.Count; i++)
            {
                if (i == request.HangAfter && request.HangAfter > 0)
                {
                    await WaitForCancellationAsync("stream", context);
                    return;
                }

                await responseStream.WriteAsync(new Message { Text = i.ToString(System.Globalization.CultureInfo.InvariantCulture), Payload = payload });
            }

            context.ResponseTrailers.Add(TrailerName, request.Count.ToString(System.Globalization.CultureInfo.InvariantCulture));
        }

        public override async Task<Summary> ClientStream(IAsyncStreamReader<Message> requestStream, ServerCallContext context)
        {
            var summary = new Summary();
            await foreach (var message in requestStream.ReadAllAsync(context.CancellationToken))
            {
                summary.Count++;
                summary.Bytes += message.Payload.Length;
            }

            return summary;
        }

        public override async Task Duplex(IAsyncStreamReader<Message> requestStream, IServerStreamWriter<Message> responseStream, ServerCallContext context)
        {
            backend.Started.Enqueue("duplex");
            // Headers first, as a server that streams its answers does: the client must see them before its first reply.
            await context.WriteResponseHeadersAsync(new Metadata { { "x-duplex", "ready" } });
            await foreach (var message in requestStream.ReadAllAsync(context.CancellationToken))
            {
                await responseStream.WriteAsync(message);
            }
        }

        public override async Task<Message> Hang(Message request, ServerCallContext context)
        {
            backend.Started.Enqueue(request.Text);
            await WaitForCancellationAsync(request.Text, context);
            return request;
        }

        private async Task WaitForCancellationAsync(string call, ServerCallContext context)
        {
            try
            {
                await Task.Delay(Timeout.Infinite, context.CancellationToken);
            }
            catch (OperationCanceledException)
            {
                backend.Cancelled.Enqueue(call);
                throw;
            }
        }
    }
}
