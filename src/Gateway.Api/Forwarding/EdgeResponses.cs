using System.Globalization;
using Gateway.Application.Edge;
using Gateway.Application.Forwarding;
using Microsoft.AspNetCore.Mvc;

namespace Gateway.Api.Forwarding;

/// <summary>What the edge policies' decisions look like in HTTP: 401, 403 and 429 problems and their headers.</summary>
internal static class EdgeResponses
{
    public const string RateLimitPolicyHeader = "RateLimit-Policy";
    public const string RateLimitHeader = "RateLimit";

    /// <summary>
    /// The rate-limit headers go on every response of a rate-limited service, forwarded or refused, so that a client
    /// can slow down before it is refused; the challenge and Retry-After go on refusals.
    /// </summary>
    public static void WriteHeaders(IHeaderDictionary headers, EdgeAdmission edge)
    {
        if (edge.RateLimitPolicy is { } policy)
        {
            headers[RateLimitPolicyHeader] = policy;
            headers[RateLimitHeader] = edge.RateLimit;
        }

        if (edge.Verdict == EdgeVerdict.RateLimited)
        {
            headers.RetryAfter = edge.RetryAfterSeconds.ToString(CultureInfo.InvariantCulture);
        }

        if (edge.Challenge is { } challenge)
        {
            headers.WWWAuthenticate = challenge;
        }
    }

    public static ObjectResult Problem(ForwardResult result) => result.Edge!.Verdict switch
    {
        EdgeVerdict.Unauthenticated => GatewayProblems.Create(
            StatusCodes.Status401Unauthorized, "Unauthorized", result.Edge.Detail ?? "Credentials are missing or invalid.", result.Service),
        EdgeVerdict.Forbidden => GatewayProblems.Create(
            StatusCodes.Status403Forbidden, "Forbidden", result.Edge.Detail ?? "The credentials do not allow this request.", result.Service),
        _ => GatewayProblems.Create(
            StatusCodes.Status429TooManyRequests, "Too many requests", result.Edge.Detail ?? "Over the service's rate limit.", result.Service),
    };
}
