using System.Text;
using Microsoft.AspNetCore.Server.Kestrel.Core.Features;

namespace Gateway.Api.Forwarding;

/// <summary>
/// What the gateway does differently for gRPC clients, which read a call's outcome from <c>grpc-status</c> and
/// <c>grpc-message</c> rather than from the HTTP status or a body.
/// </summary>
internal static class GrpcCalls
{
    private const string ContentType = "application/grpc";
    private const string StatusHeader = "grpc-status";
    private const string MessageHeader = "grpc-message";

    /// <summary>Whether the request is a gRPC call: <c>application/grpc</c>, <c>application/grpc+proto</c> and the like.</summary>
    public static bool IsCall(HttpRequest request) => IsGrpc(request.Headers.ContentType);

    /// <summary>
    /// Lets the client's side of a call stay quiet for as long as it likes, as Grpc.AspNetCore does for its own calls:
    /// Kestrel's minimum request data rate would otherwise end a bidirectional call whose client has nothing to send
    /// for a few seconds, and with it the whole HTTP/2 connection.
    /// </summary>
    public static void AllowIdleRequestStream(HttpContext context)
    {
        if (context.Features.Get<IHttpMinRequestBodyDataRateFeature>() is { } rate)
        {
            rate.MinDataRate = null;
        }
    }

    /// <summary>
    /// Whether the instance answered an HTTP/2 gRPC call with a stream of messages to come, rather than with its
    /// outcome alone in the headers (a trailers-only response).
    /// </summary>
    public static bool IsStream(HttpRequest request, IHeaderDictionary responseHeaders) =>
        (HttpProtocol.IsHttp2(request.Protocol) || HttpProtocol.IsHttp3(request.Protocol))
        && IsGrpc(responseHeaders.ContentType)
        && !responseHeaders.ContainsKey(StatusHeader);

    /// <summary>
    /// Answers a call the gateway could not pass on as gRPC does: 200 with the outcome in the headers and no body
    /// (a trailers-only response), since gRPC clients ignore an HTTP error's body and report its status as little
    /// more than "bad gRPC response".
    /// </summary>
    /// <param name="httpStatus">The status the gateway would answer any other client with.</param>
    public static void WriteStatus(HttpResponse response, int httpStatus, string? message)
    {
        response.StatusCode = StatusCodes.Status200OK;
        var headers = response.Headers;
        headers.ContentType = ContentType;
        headers[StatusHeader] = StatusFor(httpStatus);
        if (!string.IsNullOrEmpty(message))
        {
            headers[MessageHeader] = PercentEncode(message);
        }
    }

    /// <summary>
    /// The gRPC status code for the gateway's own HTTP status: the contract's codes for its own failures, and
    /// gRPC's mapping of HTTP statuses (doc/http-grpc-status-mapping.md in grpc/grpc) for the rest.
    /// </summary>
    internal static string StatusFor(int httpStatus) => httpStatus switch
    {
        StatusCodes.Status404NotFound => "5", // NOT_FOUND: no such service.
        StatusCodes.Status504GatewayTimeout => "4", // DEADLINE_EXCEEDED
        StatusCodes.Status502BadGateway or StatusCodes.Status503ServiceUnavailable or StatusCodes.Status429TooManyRequests => "14", // UNAVAILABLE
        StatusCodes.Status413PayloadTooLarge => "8", // RESOURCE_EXHAUSTED, as gRPC servers answer a message too large.
        StatusCodes.Status400BadRequest => "13", // INTERNAL
        StatusCodes.Status401Unauthorized => "16", // UNAUTHENTICATED
        StatusCodes.Status403Forbidden => "7", // PERMISSION_DENIED
        _ => "2", // UNKNOWN
    };

    /// <summary><c>grpc-message</c> is percent-encoded UTF-8: every byte outside printable ASCII, and <c>%</c> itself.</summary>
    internal static string PercentEncode(string message)
    {
        if (!message.AsSpan().ContainsAnyExceptInRange(' ', '~') && !message.Contains('%'))
        {
            return message;
        }

        var encoded = new StringBuilder(message.Length + 16);
        foreach (var b in Encoding.UTF8.GetBytes(message))
        {
            if (b is >= 0x20 and <= 0x7E && b != '%')
            {
                encoded.Append((char)b);
            }
            else
            {
                encoded.Append('%').Append(b.ToString("X2", System.Globalization.CultureInfo.InvariantCulture));
            }
        }

        return encoded.ToString();
    }

    private static bool IsGrpc(string? contentType) =>
        contentType is not null && contentType.StartsWith(ContentType, StringComparison.OrdinalIgnoreCase);
}
