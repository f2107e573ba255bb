using System.Threading.RateLimiting;
using Gateway.Application.Forwarding;

namespace Gateway.Application.Edge;

/// <summary>
/// The edge policies' answer to one request: what to tell the client when it is refused, what to send on when it is
/// admitted, and the rate-limit headers either way.
/// </summary>
/// <remarks>An admitted request may hold a concurrency permit until its result is disposed.</remarks>
public sealed class EdgeAdmission : IDisposable
{
    private RateLimitLease? _lease;

    private EdgeAdmission(EdgeVerdict verdict, string reason)
    {
        Verdict = verdict;
        Reason = reason;
    }

    public EdgeVerdict Verdict { get; }

    /// <summary>One of a fixed set (<c>invalid_credentials</c>, <c>rate_limited</c>…), for metrics and logs.</summary>
    public string Reason { get; }

    /// <summary>For the problem's detail: never a token, a key or a hash.</summary>
    public string? Detail { get; private init; }

    /// <summary>The <c>WWW-Authenticate</c> value of a 401 or 403.</summary>
    public string? Challenge { get; private init; }

    public int RetryAfterSeconds { get; private init; }

    /// <summary>The <c>RateLimit-Policy</c> value, on every response of a rate-limited service.</summary>
    public string? RateLimitPolicy { get; private init; }

    /// <summary>The <c>RateLimit</c> value, on every response of a rate-limited service.</summary>
    public string? RateLimit { get; private init; }

    /// <summary>The name of the API key presented, for logs and metrics.</summary>
    public string? ApiKeyName { get; private init; }

    /// <summary>The request to forward, its headers rewritten by the policies; null when refused.</summary>
    public ForwardRequestCommand? Request { get; private init; }

    public static EdgeAdmission Admit(ForwardRequestCommand request, string? apiKeyName, string? rateLimitPolicy, string? rateLimit, RateLimitLease? lease) =>
        new(EdgeVerdict.Admitted, "admitted")
        {
            Request = request,
            ApiKeyName = apiKeyName,
            RateLimitPolicy = rateLimitPolicy,
            RateLimit = rateLimit,
            _lease = lease,
        };

    public static EdgeAdmission Unauthenticated(string reason, string detail, string challenge) =>
        new(EdgeVerdict.Unauthenticated, reason) { Detail = detail, Challenge = challenge };

    public static EdgeAdmission Forbidden(string detail, string challenge, string? apiKeyName = null) =>
        new(EdgeVerdict.Forbidden, "insufficient_scope") { Detail = detail, Challenge = challenge, ApiKeyName = apiKeyName };

    public static EdgeAdmission Limited(string reason, string detail, int retryAfterSeconds, string? rateLimitPolicy, string? rateLimit, string? apiKeyName) =>
        new(EdgeVerdict.RateLimited, reason)
        {
            Detail = detail,
            RetryAfterSeconds = retryAfterSeconds,
            RateLimitPolicy = rateLimitPolicy,
            RateLimit = rateLimit,
            ApiKeyName = apiKeyName,
        };

    /// <summary>Gives back the concurrency permit, if the request holds one.</summary>
    public void Dispose() => Interlocked.Exchange(ref _lease, null)?.Dispose();
}
