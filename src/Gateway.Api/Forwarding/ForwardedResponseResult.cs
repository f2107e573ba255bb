using System.Buffers;
using System.Globalization;
using Gateway.Api.Telemetry;
using Gateway.Application.Forwarding;
using Gateway.Application.Telemetry;
using Microsoft.AspNetCore.Mvc;

namespace Gateway.Api.Forwarding;

/// <summary>
/// Waits for the forward command the controller sent, then writes its outcome: the instance's response (status,
/// headers, then the body as it arrives) or the gateway's problem.
/// </summary>
/// <remarks>
/// The metrics and idle watches come from the controller rather than the request's services: those would open a
/// service scope for every proxied request.
/// </remarks>
internal sealed partial class ForwardedResponseResult(
    Task<ForwardResult> forwarding, GatewayMetrics metrics, StreamIdleWatches idleWatches) : IActionResult
{
    public const string ServiceHeader = "X-Gateway-Service";
    public const string InstanceHeader = "X-Gateway-Instance";
    public const string ResponseTimeHeader = "X-Gateway-Response-Time";

    public async Task ExecuteResultAsync(ActionContext context)
    {
        var http = context.HttpContext;
        var result = await forwarding;
        await using (result)
        {
            if (result.Edge is { } edge)
            {
                EdgeResponses.WriteHeaders(http.Response.Headers, edge);
            }

            if (!result.IsForwarded)
            {
                var problem = GatewayProblems.For(result);
                metrics.GatewayError(problem.StatusCode!.Value, GatewayProblems.Reason(result));
                await problem.ExecuteResultAsync(context);
                return;
            }

            var upstream = result.Response;
            var response = http.Response;
            response.StatusCode = upstream.StatusCode;
            var headers = response.Headers;
            // Set already; put back after the instance's headers, which may carry a trace header of their own.
            var traceId = headers[TraceHeader.Name];
            upstream.CopyHeaders(headers, static (target, name, values) => target[name] = values);
            result.Shaped?.Apply(headers);

            headers[ServiceHeader] = result.Service;
            headers[InstanceHeader] = result.Instance.Id;
            headers[ResponseTimeHeader] = FormatElapsed(result.UpstreamElapsed);
            if (traceId.Count > 0)
            {
                headers[TraceHeader.Name] = traceId;
            }

            if (upstream.StatusCode == StatusCodes.Status101SwitchingProtocols)
            {
                await UpgradedExchange.RunAsync(context, result);
                return;
            }

            using var watch = idleWatches.Start(result.StreamIdleTimeout, http.RequestAborted);
            try
            {
                if (GrpcCalls.IsStream(http.Request, headers))
                {
                    // A gRPC instance may send its headers long before its first message (a bidirectional call
                    // waiting for the client's): the client waits for them too, so they go out at once.
                    await response.Body.FlushAsync(http.RequestAborted);
                }

                await CopyAsync(upstream.Body, response.Body, watch);
                if (response.SupportsTrailers())
                {
                    upstream.CopyTrailers(response, static (target, name, values) => target.AppendTrailer(name, values));
                }
            }
            catch (Exception error) when (http.RequestAborted.IsCancellationRequested && error is OperationCanceledException or IOException)
            {
                // The client went away; disposing the result below abandons the instance's connection.
            }
            catch (Exception error) when (watch.Expired && error is OperationCanceledException or IOException)
            {
                // A stuck stream, not a failed instance: an event stream may rightly stay quiet for long. The client's
                // connection is closed, since its response cannot be ended any other way once it has begun.
                var logger = http.RequestServices.GetRequiredService<ILogger<ForwardedResponseResult>>();
                LogIdleClosed(logger, result.Service, result.Instance.Id, watch.Timeout.TotalSeconds);
                http.Abort();
            }
            catch (IOException error)
            {
                // The instance broke off mid-body. The status line is gone already, so the only honest answer left
                // is to break off too, rather than let a truncated body pass for a complete one.
                result.ResponseBodyFailed(error);
                var logger = http.RequestServices.GetRequiredService<ILogger<ForwardedResponseResult>>();
                LogBodyFailed(logger, result.Service, result.Instance.Id, error.Message);
                http.Abort();
            }
        }
    }

    /// <summary>Copies the body a pooled 64 KiB buffer at a time, each write reaching the client at once.</summary>
    /// <remarks>
    /// Stream.CopyToAsync would rent 81,920 bytes, which the shared pool rounds up to 128 KiB: past the large
    /// object heap's threshold, so every large response would leave garbage that only a full collection frees.
    /// </remarks>
    private static async Task CopyAsync(Stream source, Stream destination, StreamIdleWatch watch)
    {
        var buffer = ArrayPool<byte>.Shared.Rent(64 * 1024);
        var cancellationToken = watch.Token;
        try
        {
            int read;
            while ((read = await source.ReadAsync(buffer, cancellationToken)) > 0)
            {
                watch.Progress();
                await destination.WriteAsync(buffer.AsMemory(0, read), cancellationToken);
            }
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }

    // A standard format into one string: the custom "0.000" is parsed on every call, and a concatenation would make two.
    public static string FormatElapsed(TimeSpan elapsed) =>
        string.Create(CultureInfo.InvariantCulture, $"{elapsed.TotalMilliseconds:F3}ms");

    [LoggerMessage(Level = LogLevel.Information, Message = "{Service} -> {InstanceId}: response closed after {TimeoutSeconds} s without a byte")]
    private static partial void LogIdleClosed(ILogger logger, string service, string instanceId, double timeoutSeconds);

    // The message only: an instance breaking off is the instance's failure, not the gateway's bug.
    [LoggerMessage(Level = LogLevel.Warning, Message = "{Service} -> {InstanceId}: response body broke off ({Cause}); the client's connection is closed")]
    private static partial void LogBodyFailed(ILogger logger, string service, string instanceId, string cause);
}
