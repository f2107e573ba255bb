using Gateway.Api.Forwarding;
using Gateway.Application.Forwarding;
using Gateway.Application.Telemetry;
using Gateway.Infrastructure.Http;
using MediatR;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.AspNetCore.Mvc;

namespace Gateway.Api.Controllers;

/// <summary>The catch-all: turns any request for <c>/{service}/...</c> into a forward command, and its result back into HTTP.</summary>
public sealed class GatewayController(IMediator mediator, GatewayMetrics metrics, ViaHeader via, StreamIdleWatches idleWatches)
    : ControllerBase
{
    // No HTTP method attribute: every method, including ones MVC has no attribute for, is forwarded.
    [Route("{service}/{**path}", Order = int.MaxValue)]
    public IActionResult Forward()
    {
        // Read from the route rather than bound as a parameter: model binding would cost every proxied request.
        var service = (string)RouteData.Values["service"]!;
        var request = Request;
        if (HasAmbiguousFraming(request))
        {
            metrics.GatewayError(StatusCodes.Status400BadRequest, "ambiguous_framing");
            return GatewayProblems.Create(
                StatusCodes.Status400BadRequest, "Ambiguous request framing",
                "The request has both Content-Length and Transfer-Encoding, or conflicting Content-Length values.");
        }

        if (request.ContentLength > HttpContext.Features.Get<IHttpMaxRequestBodySizeFeature>()?.MaxRequestBodySize)
        {
            metrics.GatewayError(StatusCodes.Status413PayloadTooLarge, "body_too_large");
            return GatewayProblems.PayloadTooLarge(service);
        }

        if (via.HasPassed(request.Headers.Via))
        {
            metrics.GatewayError(StatusCodes.Status508LoopDetected, "loop_detected");
            return GatewayProblems.Create(
                StatusCodes.Status508LoopDetected, "Loop detected",
                $"The request has passed through this gateway before (Via): an instance of '{service}', or a gateway in front of one, routes back to the gateway.",
                service);
        }

        var rawTarget = RawTarget();
        if (RequestTarget.LeavesFirstSegment(rawTarget))
        {
            metrics.GatewayError(StatusCodes.Status400BadRequest, "ambiguous_path");
            return GatewayProblems.Create(
                StatusCodes.Status400BadRequest, "Ambiguous request path",
                "Dot segments in the path lead out of its first segment, so the path names one service as sent and another once resolved.");
        }

        if (GrpcCalls.IsCall(request))
        {
            GrpcCalls.AllowIdleRequestStream(HttpContext);
        }

        var command = new ForwardRequestCommand(
            service,
            request.Method,
            RequestTarget.AfterFirstSegment(rawTarget),
            request.Headers,
            CanHaveBody() ? request.Body : null,
            request.ContentLength,
            new ClientInfo(HttpContext.Connection.RemoteIpAddress?.ToString(), request.Scheme, request.Host.Value));
        if (WebSocketRequests.IsUpgrade(HttpContext))
        {
            command = WebSocketRequests.AsUpgrade(command, HttpContext);
        }

        // Sent here, awaited by the result: an action that awaited the forward itself would put every proxied request
        // on MVC's asynchronous action path, three state machines more.
        return new ForwardedResponseResult(mediator.Send(command, HttpContext.RequestAborted), metrics, idleWatches);
    }

    private string RawTarget() =>
        HttpContext.Features.Get<IHttpRequestFeature>()?.RawTarget is { Length: > 0 } raw
            ? raw
            : Request.PathBase + Request.Path + Request.QueryString;

    private bool CanHaveBody() =>
        HttpContext.Features.Get<IHttpRequestBodyDetectionFeature>()?.CanHaveBody
        ?? (Request.ContentLength > 0 || Request.Headers.TransferEncoding.Count > 0);

    /// <summary>
    /// Both framings, or two lengths, let the gateway and the instance disagree on where the body ends: the
    /// classic request-smuggling setup (RFC 9112 §6.3). Such a request is refused before it reaches anyone.
    /// </summary>
    private static bool HasAmbiguousFraming(HttpRequest request)
    {
        if (request.Headers.TransferEncoding.Count > 0)
        {
            // Kestrel honours Transfer-Encoding and hands the app the client's Content-Length only under the name
            // X-Content-Length (see dotnet/aspnetcore#43523), so that name counts as a second framing too.
            return request.Headers.ContainsKey("Content-Length") || request.Headers.ContainsKey("X-Content-Length");
        }

        var lengths = request.Headers["Content-Length"];
        if (lengths.Count == 0)
        {
            return false;
        }

        string? first = null;
        foreach (var value in lengths)
        {
            if (!ContentLengths.Agree(ref first, value))
            {
                return true;
            }
        }

        return false;
    }
}
