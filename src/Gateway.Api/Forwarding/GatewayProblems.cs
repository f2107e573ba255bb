using Gateway.Api.Telemetry;
using Gateway.Application.Forwarding;
using Gateway.Domain;
using Microsoft.AspNetCore.Mvc;

namespace Gateway.Api.Forwarding;

/// <summary>The one mapping from a failed forward to what the client sees: an RFC 9457 problem.</summary>
internal static class GatewayProblems
{
    /// <summary>nginx's code for "client closed the request": nobody reads it, but the logs and metrics do.</summary>
    public const int ClientClosedRequest = 499;

    public static ObjectResult For(ForwardResult result) => result.Status switch
    {
        ForwardStatus.UnknownService when ServiceName.Reserved.Contains(result.Service) => ForwardingProblem(
            StatusCodes.Status404NotFound, "Unknown service", $"'{result.Service}' is reserved for the gateway's own endpoints, so no service can have that name; GET / lists what the gateway serves.", result.Service),
        ForwardStatus.UnknownService => ForwardingProblem(
            StatusCodes.Status404NotFound, "Unknown service", $"No service is registered as '{result.Service}'.", result.Service),
        ForwardStatus.UnknownVersion => UnknownVersion(result),
        ForwardStatus.NoHealthyInstance => ForwardingProblem(
            StatusCodes.Status503ServiceUnavailable, "No healthy instance", $"Service '{result.Service}' has no healthy instance right now.", result.Service),
        ForwardStatus.UpstreamTimeout => ForwardingProblem(
            StatusCodes.Status504GatewayTimeout, "Upstream timeout", $"Instance {result.Instance?.Id} of '{result.Service}' sent no response in time.", result.Service),
        ForwardStatus.UpstreamUnreachable => ForwardingProblem(
            StatusCodes.Status502BadGateway, "Bad gateway", $"Instance {result.Instance?.Id} of '{result.Service}' {Describe(result.Error)}.", result.Service),
        ForwardStatus.RequestBodyFailed when result.Error is BadHttpRequestException { StatusCode: StatusCodes.Status413PayloadTooLarge } =>
            PayloadTooLarge(result.Service),
        ForwardStatus.RequestBodyFailed => ForwardingProblem(
            StatusCodes.Status400BadRequest, "Incomplete request body", "The request body could not be read to its end.", result.Service),
        ForwardStatus.Unforwardable => ForwardingProblem(
            StatusCodes.Status400BadRequest, "Request cannot be forwarded", result.Error?.Message ?? "The request cannot be forwarded as sent.", result.Service),
        ForwardStatus.ClientAborted => new ObjectResult(null) { StatusCode = ClientClosedRequest },
        ForwardStatus.Refused => EdgeResponses.Problem(result),
        _ => throw new InvalidOperationException($"{result.Status} is not a failure."),
    };

    /// <summary>Why the gateway answered itself, as the <c>reason</c> tag of the errors metric: a fixed set.</summary>
    public static string Reason(ForwardResult result) => result.Status switch
    {
        ForwardStatus.UnknownService => "unknown_service",
        ForwardStatus.UnknownVersion => "unknown_version",
        ForwardStatus.NoHealthyInstance => "no_healthy_instance",
        ForwardStatus.UpstreamTimeout => "upstream_timeout",
        ForwardStatus.UpstreamUnreachable => "upstream_unreachable",
        ForwardStatus.RequestBodyFailed => "request_body",
        ForwardStatus.ClientAborted => "client_aborted",
        ForwardStatus.Unforwardable => "unforwardable_request",
        ForwardStatus.Refused => result.Edge!.Reason,
        _ => "other",
    };

    /// <summary>A 404 that lists the versions there are, so a client can correct what it asked for.</summary>
    private static GatewayProblemResult UnknownVersion(ForwardResult result)
    {
        var versions = result.Versions ?? [];
        var problem = ForwardingProblem(
            StatusCodes.Status404NotFound,
            "Unknown version",
            versions.Count == 0
                ? $"No instance of '{result.Service}' runs version '{result.RequestedVersion}'; none names a version."
                : $"No instance of '{result.Service}' runs version '{result.RequestedVersion}'; versions: {string.Join(", ", versions)}.",
            result.Service);
        ((ProblemDetails)problem.Value!).Extensions["versions"] = versions;
        return problem;
    }

    public static ObjectResult PayloadTooLarge(string? service) => ForwardingProblem(
        StatusCodes.Status413PayloadTooLarge, "Request body too large", "The request body is larger than the gateway accepts (MAX_REQUEST_BODY_SIZE).", service);

    public static ObjectResult Create(int status, string title, string detail, string? service = null) =>
        new(Problem(status, title, detail, service)) { StatusCode = status, ContentTypes = { "application/problem+json" } };

    /// <summary>A method the gateway's own endpoints do not serve: 405 naming the ones they do, as a problem like every other error.</summary>
    public static ObjectResult MethodNotAllowed(HttpResponse response)
    {
        ArgumentNullException.ThrowIfNull(response);
        response.Headers.Allow = "GET, HEAD";
        return Create(
            StatusCodes.Status405MethodNotAllowed,
            "Method not allowed",
            $"{response.HttpContext.Request.Method} is not served here: this endpoint answers GET and HEAD.");
    }

    /// <summary>A failure to pass a request on, which a gRPC client is told as a gRPC status.</summary>
    private static GatewayProblemResult ForwardingProblem(int status, string title, string detail, string? service = null) =>
        new GatewayProblemResult(Problem(status, title, detail, service)) { StatusCode = status, ContentTypes = { "application/problem+json" } };

    private static ProblemDetails Problem(int status, string title, string detail, string? service)
    {
        var problem = new ProblemDetails { Status = status, Title = title, Detail = detail };
        if (service is not null)
        {
            problem.Extensions["service"] = service;
        }

        if (TraceHeader.CurrentTraceId() is { } traceId)
        {
            problem.Extensions["traceId"] = traceId;
        }

        return problem;
    }

    private static string Describe(Exception? error) => error switch
    {
        HttpRequestException { HttpRequestError: HttpRequestError.ConnectionError } => "refused or dropped the connection",
        HttpRequestException { HttpRequestError: HttpRequestError.NameResolutionError } => "has a host name that does not resolve",
        HttpRequestException { HttpRequestError: HttpRequestError.SecureConnectionError } => "failed the TLS handshake",
        HttpRequestException { HttpRequestError: HttpRequestError.ResponseEnded } => "closed the connection without a response",
        HttpRequestException { HttpRequestError: HttpRequestError.InvalidResponse } => "sent an invalid response",
        _ => "could not be reached",
    };
}
