using Polly.Timeout;

namespace Gateway.Infrastructure.Http;

/// <summary>
/// The innermost handler of the upstream client, inside the circuit breaker: it turns what the instance did wrong
/// into the failures the breaker counts. A passed <see cref="UpstreamDeadline"/> becomes a timeout, and response
/// headers that cannot be passed on as HTTP an invalid response.
/// </summary>
/// <remarks>
/// Both are the instance's failures, found before a byte of its answer reaches the client, so the forwarder reports
/// them as it reports a refused connection: a 502 or 504 problem, counted by passive health, tried on another
/// instance where that is safe.
/// </remarks>
internal sealed class UpstreamExchangeHandler : DelegatingHandler
{
    protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        var deadline = (request as UpstreamMessage)?.Deadline;
        HttpResponseMessage response;
        try
        {
            response = await base.SendAsync(request, cancellationToken);
        }
        catch (OperationCanceledException error) when (deadline is { Expired: true })
        {
            throw new TimeoutRejectedException($"No response headers within {deadline.Timeout.TotalSeconds:0.###} s.", error);
        }

        deadline?.Stop();
        if (ResponseHead.Problem(response) is { } problem)
        {
            response.Dispose();
            throw new HttpRequestException(HttpRequestError.InvalidResponse, problem);
        }

        return response;
    }
}

/// <summary>Whether an instance's response head can be passed on to the client as it is.</summary>
internal static class ResponseHead
{
    private const string ContentLength = "Content-Length";

    /// <summary>What makes the head unusable, or null; a head with both framings is fixed, not refused.</summary>
    public static string? Problem(HttpResponseMessage response)
    {
        var headers = response.Headers.NonValidated;
        var content = response.Content.Headers.NonValidated;
        if ((InvalidValue(headers) ?? InvalidValue(content)) is { } name)
        {
            return $"header {name} holds bytes outside printable ASCII";
        }

        if (!content.TryGetValues(ContentLength, out var lengths))
        {
            return null;
        }

        if (headers.Contains("Transfer-Encoding"))
        {
            // The body was read by its chunks (RFC 9112 §6.3); the length, whatever it said, must not go on with it.
            response.Content.Headers.Remove(ContentLength);
            return null;
        }

        string? first = null;
        foreach (var value in lengths)
        {
            if (!ContentLengths.Agree(ref first, value))
            {
                return "two different Content-Length values";
            }
        }

        return null;
    }

    private static string? InvalidValue(System.Net.Http.Headers.HttpHeadersNonValidated headers)
    {
        foreach (var (name, values) in headers)
        {
            foreach (var value in values)
            {
                if (!HeaderValues.IsForwardable(value))
                {
                    return name;
                }
            }
        }

        return null;
    }
}
