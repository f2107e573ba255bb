using System.Buffers;
using Gateway.Application.Forwarding;
using Gateway.Application.Telemetry;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.AspNetCore.Mvc;

namespace Gateway.Api.Forwarding;

/// <summary>
/// A 101 from an instance: the client's connection is switched too, and the gateway becomes a byte pipe between the
/// two until either side closes, the stream idles out, or a drain of the instance gives up waiting.
/// </summary>
/// <remarks>
/// The frames are not parsed: text, binary, fragments, pings and close codes pass as the bytes they are. The result
/// stays undisposed for the pipe's whole life, so the exchange counts in flight on its instance (least-connections
/// sees it, a drain waits for it).
/// </remarks>
internal static partial class UpgradedExchange
{
    // A small message fits in one read; a large one takes several, each from a buffer rented only while data waits.
    private const int BufferSize = 16 * 1024;

    public static async Task RunAsync(ActionContext context, ForwardResult result)
    {
        var http = context.HttpContext;
        var services = http.RequestServices;
        var instance = result.Instance!;
        if (!WebSocketRequests.IsUpgrade(http))
        {
            // The gateway asked for no switch: whatever the instance's connection speaks now, it is not HTTP.
            result.ResponseBodyFailed(new HttpRequestException(HttpRequestError.InvalidResponse, "101 to a request that asked for no upgrade"));
            var logger = Logger(services);
            LogUnaskedSwitch(logger, result.Service, instance.Id);
            http.Response.Clear();
            var problem = GatewayProblems.Create(
                StatusCodes.Status502BadGateway, "Bad gateway", $"Instance {instance.Id} of '{result.Service}' switched protocols unasked.", result.Service);
            services.GetRequiredService<GatewayMetrics>().GatewayError(StatusCodes.Status502BadGateway, "upstream_unreachable");
            await problem.ExecuteResultAsync(context);
            return;
        }

        var client = await SwitchClientAsync(http);
        services.GetRequiredService<GatewayMetrics>().WebSocketOpened(result.Service, instance);

        var upstream = result.Response!.Body;
        using var watch = services.GetRequiredService<StreamIdleWatches>()
            .Start(result.StreamIdleTimeout, http.RequestAborted, instance.Retirement);
        var toInstance = PumpAsync(client, upstream, watch);
        var toClient = PumpAsync(upstream, client, watch);

        // Either side closing ends the pipe: the other side's connection is closed at once rather than left to find
        // out, so a client waiting for the server's close (ClientWebSocket waits up to a second) sees it now.
        await Task.WhenAny(toInstance, toClient);
        watch.Cancel();
        await Task.WhenAll(toInstance, toClient);

        if (watch.Expired)
        {
            var logger = Logger(services);
            LogIdleClosed(logger, result.Service, instance.Id, watch.Timeout.TotalSeconds);
        }
    }

    private static ILogger Logger(IServiceProvider services) =>
        services.GetRequiredService<ILoggerFactory>().CreateLogger(typeof(UpgradedExchange));

    private static async Task<Stream> SwitchClientAsync(HttpContext http)
    {
        if (!WebSocketRequests.IsExtendedConnect(http))
        {
            // Kestrel writes 101 and Connection itself; Upgrade is the instance's to confirm, and only websocket was asked.
            http.Response.Headers.Upgrade = WebSocketRequests.Protocol;
            return await http.Features.GetRequiredFeature<IHttpUpgradeFeature>().UpgradeAsync();
        }

        // Over HTTP/2 the switch is a 200 to the CONNECT (RFC 8441 §5); the accept key answers a handshake the client
        // never made. The stream then carries the socket's bytes for as long as it lives, not a bounded body.
        http.Response.StatusCode = StatusCodes.Status200OK;
        http.Response.Headers.Remove("Sec-WebSocket-Accept");
        if (http.Features.Get<IHttpMaxRequestBodySizeFeature>() is { IsReadOnly: false } limit)
        {
            limit.MaxRequestBodySize = null;
        }

        return await http.Features.GetRequiredFeature<IHttpExtendedConnectFeature>().AcceptAsync();
    }

    private static async Task PumpAsync(Stream source, Stream destination, StreamIdleWatch watch)
    {
        var token = watch.Token;
        try
        {
            while (true)
            {
                // A zero-byte read waits for data without holding a buffer: an idle socket costs no memory.
                _ = await source.ReadAsync(Memory<byte>.Empty, token);
                var buffer = ArrayPool<byte>.Shared.Rent(BufferSize);
                try
                {
                    var read = await source.ReadAsync(buffer, token);
                    if (read == 0)
                    {
                        return;
                    }

                    watch.Progress();
                    await destination.WriteAsync(buffer.AsMemory(0, read), token);
                }
                finally
                {
                    ArrayPool<byte>.Shared.Return(buffer);
                }
            }
        }
        catch (Exception error) when (error is OperationCanceledException or IOException or ObjectDisposedException)
        {
            // One side closed, reset, or the pipe was ended: in every case the other side is closed next.
        }
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "{Service} -> {InstanceId}: WebSocket closed after {TimeoutSeconds} s without a byte either way")]
    private static partial void LogIdleClosed(ILogger logger, string service, string instanceId, double timeoutSeconds);

    [LoggerMessage(Level = LogLevel.Warning, Message = "{Service} -> {InstanceId}: answered 101 to a request that asked for no upgrade; answered 502")]
    private static partial void LogUnaskedSwitch(ILogger logger, string service, string instanceId);
}
