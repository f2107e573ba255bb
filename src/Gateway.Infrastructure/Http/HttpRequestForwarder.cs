using System.Collections.Frozen;
using System.Diagnostics;
using System.Net;
using System.Net.Http.Headers;
using Gateway.Application.Forwarding;
using Gateway.Application.Shaping;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Primitives;
using Polly.CircuitBreaker;
using Polly.Timeout;

namespace Gateway.Infrastructure.Http;

/// <summary>Forwards requests through the handler pipeline of the named client that <see cref="DependencyInjection"/> sets up.</summary>
/// <remarks>
/// The factory builds the pipeline (Polly policies, then the pooled <see cref="SocketsHttpHandler"/>); the forwarder
/// sends through it with an <see cref="HttpMessageInvoker"/>, as YARP does, rather than an HttpClient: the client's
/// extras (a base address, buffering, its own timeout and a linked cancellation source per request) are all unused
/// here, and the handler never buffers a response body. One invoker serves the forwarder's lifetime, since the
/// factory's handler lifetime is infinite and so the pipeline is never rotated.
/// </remarks>
internal sealed class HttpRequestForwarder(
    IHttpMessageHandlerFactory handlerFactory,
    UpstreamPolicies policies,
    UpstreamDeadlines deadlines,
    ViaHeader via,
    IOptions<ForwardingOptions> options,
    TimeProvider timeProvider)
    : IRequestForwarder, IDisposable
{
    public const string ClientName = "Gateway.Upstream";

    private readonly TimeSpan _requestTimeout = options.Value.RequestTimeout;

    private readonly HttpMessageInvoker _invoker = new(handlerFactory.CreateHandler(ClientName), disposeHandler: false);

    // The factory owns the handlers; the invoker is only let go of.
    public void Dispose() => _invoker.Dispose();

    /// <summary>Headers that describe a body and so travel with the content, not the request.</summary>
    private static readonly FrozenSet<string> ContentHeaders = new[]
    {
        "Allow", "Content-Disposition", "Content-Encoding", "Content-Language", "Content-Location", "Content-MD5",
        "Content-Range", "Content-Type", "Expires", "Last-Modified",
    }.ToFrozenSet(StringComparer.OrdinalIgnoreCase);

    private static readonly UriCreationOptions RawPathAndQuery = new() { DangerousDisablePathAndQueryCanonicalization = true };

    public async Task<UpstreamResult> ForwardAsync(UpstreamRequest request, CancellationToken cancellationToken)
    {
        if (request.Command.Method == HttpMethod.Connect.Method)
        {
            return Unforwardable("CONNECT opens a tunnel, which the gateway does not forward.");
        }

        using var span = UpstreamSpans.Start(request);
        var deadline = deadlines.Start(request.Service.RequestTimeout ?? _requestTimeout, cancellationToken);
        var message = CreateMessage(request, deadline, out var body, out var unforwardableHeader);
        if (unforwardableHeader is not null)
        {
            message.Dispose();
            deadline.Dispose();
            return Unforwardable($"The value of header {unforwardableHeader} holds bytes outside printable ASCII, which the gateway does not forward.");
        }

        if (request.Command.Upgrade is { } protocol)
        {
            UpgradeRequest.Prepare(message, protocol);
        }

        var started = timeProvider.GetTimestamp();
        try
        {
            var response = await _invoker.SendAsync(message, deadline.Token);
            UpstreamSpans.Responded(span, (int)response.StatusCode);
            var upstream = new HttpUpstreamResponse(message, response, deadline, policies, request);
            return UpstreamResult.Responded(upstream, timeProvider.GetElapsedTime(started));
        }
        catch (Exception error) when (error is HttpRequestException or OperationCanceledException or TimeoutRejectedException
            or BrokenCircuitException or IOException)
        {
            message.Dispose();
            deadline.Dispose();
            var elapsed = timeProvider.GetElapsedTime(started);
            var failure = Classify(error, body, elapsed, cancellationToken);
            UpstreamSpans.Failed(span, failure.Outcome);
            return failure;
        }
    }

    private static UpstreamResult Unforwardable(string reason) =>
        UpstreamResult.Failed(UpstreamOutcome.Unforwardable, TimeSpan.Zero, new UnforwardableRequestException(reason));

    private static UpstreamResult Classify(Exception error, StreamingBodyContent? body, TimeSpan elapsed, CancellationToken clientAborted)
    {
        if (clientAborted.IsCancellationRequested)
        {
            return UpstreamResult.Failed(UpstreamOutcome.ClientAborted, elapsed, error);
        }

        if (error is BrokenCircuitException)
        {
            return UpstreamResult.Failed(UpstreamOutcome.NotSent, elapsed, error);
        }

        if (body?.SourceError is { } sourceError)
        {
            return UpstreamResult.Failed(UpstreamOutcome.RequestBodyFailed, elapsed, sourceError);
        }

        var bodyStarted = body is { Started: true };
        if (error is TimeoutRejectedException)
        {
            return UpstreamResult.Failed(UpstreamOutcome.TimedOut, elapsed, error, bodyStarted);
        }

        // Refused, reset, or an invalid response.
        return UpstreamResult.Failed(UpstreamOutcome.Unreachable, elapsed, error, bodyStarted);
    }

    /// <param name="unforwardableHeader">The first header whose value cannot be sent, if any; the message is then unusable.</param>
    private UpstreamMessage CreateMessage(
        UpstreamRequest request, UpstreamDeadline deadline, out StreamingBodyContent? body, out string? unforwardableHeader)
    {
        unforwardableHeader = null;
        var command = request.Command;
        var instance = request.Instance;
        var shaping = request.Shaping;

        // Concatenated rather than combined: Uri(base, relative) would let a path such as "//evil.example/" pick
        // another host, and canonicalization would decode or drop what the client wrote.
        var target = new Uri(string.Concat(instance.Origin, shaping?.PathPrefix, command.PathAndQuery), in RawPathAndQuery);
        // As YARP does: HTTP/2 where TLS negotiates it (ALPN), HTTP/1.1 in cleartext, and HTTP/2 only to an h2c
        // instance, which would not understand an HTTP/1.1 request.
        var message = new UpstreamMessage(HttpMethod.Parse(command.Method), target, request, deadline)
        {
            Version = HttpVersion.Version20,
            VersionPolicy = instance.IsH2c ? HttpVersionPolicy.RequestVersionExact : HttpVersionPolicy.RequestVersionOrLower,
        };

        body = command.Body is null ? null : new StreamingBodyContent(command.Body, command.ContentLength, deadline);
        message.Content = body;

        // One pass over the client's headers. Those that Connection names are hop-by-hop too; they are rare, so they
        // are taken out afterwards rather than looked up before every header.
        var connection = StringValues.Empty;
        var forwardedFor = StringValues.Empty;
        var clientVia = StringValues.Empty;
        // While a span of the gateway's is current, its trace context replaces the client's: same trace, the gateway's
        // span as the instance's parent.
        var span = Activity.Current is { IdFormat: ActivityIdFormat.W3C } current ? current : null;
        var tracing = span is not null;
        var transforms = shaping?.RequestHeaders;
        foreach (var (name, values) in command.Headers)
        {
            if (!AreForwardable(values))
            {
                unforwardableHeader = name;
                return message;
            }

            if (HopByHopHeaders.IsHopByHop(name, values, StringValues.Empty))
            {
                if (name.Equals("Connection", StringComparison.OrdinalIgnoreCase))
                {
                    connection = values;
                }

                continue;
            }

            if (name.Equals("X-Forwarded-For", StringComparison.OrdinalIgnoreCase))
            {
                forwardedFor = values;
            }
            else if (name.Equals(ViaHeader.Name, StringComparison.OrdinalIgnoreCase))
            {
                clientVia = values;
            }
            else if (IsReplaced(name) || (tracing && IsTraceContext(name)) || (transforms is not null && transforms.Replaces(name)))
            {
                continue;
            }
            else if (!ContentHeaders.Contains(name))
            {
                Add(message.Headers, name, values);
            }
            else if (body is not null)
            {
                Add(body.Headers, name, values);
            }
        }

        if (connection.Count > 0)
        {
            RemoveNamedBy(connection, message.Headers, body?.Headers);
        }

        if (shaping is { RequestHeaders: { } requestTransforms })
        {
            AddTransformed(message, body, requestTransforms, shaping.ContextOf(request));
        }

        AddForwardedHeaders(message, request, forwardedFor);
        if (span is not null)
        {
            AddTraceContext(message.Headers, span);
        }

        message.Headers.TryAddWithoutValidation(ViaHeader.Name, via.Append(clientVia));
        return message;
    }

    private static bool AreForwardable(StringValues values)
    {
        foreach (var value in values)
        {
            if (!HeaderValues.IsForwardable(value))
            {
                return false;
            }
        }

        return true;
    }

    /// <summary>The service's <c>Set</c> and <c>Append</c> headers, after the client's (less those Set replaces).</summary>
    private static void AddTransformed(HttpRequestMessage message, StreamingBodyContent? body, HeaderTransforms transforms, TransformContext context)
    {
        // Indexed: a foreach over the interface would allocate an enumerator per list and request.
        var set = transforms.Set;
        for (var i = 0; i < set.Count; i++)
        {
            AddTransformed(message, body, set[i].Key, set[i].Value.Render(context));
        }

        var append = transforms.Append;
        for (var i = 0; i < append.Count; i++)
        {
            AddTransformed(message, body, append[i].Key, append[i].Value.Render(context));
        }
    }

    /// <summary>A header describing the body goes with the body, or nowhere when the request has none.</summary>
    private static void AddTransformed(HttpRequestMessage message, StreamingBodyContent? body, string name, string value)
    {
        if (!ContentHeaders.Contains(name))
        {
            message.Headers.TryAddWithoutValidation(name, value);
        }
        else
        {
            body?.Headers.TryAddWithoutValidation(name, value);
        }
    }

    private static void AddForwardedHeaders(HttpRequestMessage message, UpstreamRequest request, StringValues forwardedFor)
    {
        var client = request.Command.Client;
        var headers = message.Headers;
        var chain = client.Address is null ? forwardedFor : StringValues.Concat(forwardedFor, client.Address);
        if (chain.Count > 0)
        {
            headers.TryAddWithoutValidation("X-Forwarded-For", chain.Count == 1 ? chain[0] : string.Join(", ", chain.ToArray()));
        }

        headers.TryAddWithoutValidation("X-Forwarded-Proto", client.Scheme);
        if (!string.IsNullOrEmpty(client.Host))
        {
            headers.TryAddWithoutValidation("X-Forwarded-Host", client.Host);
        }

        headers.TryAddWithoutValidation("X-Forwarded-Prefix", request.Service.PathPrefix);
    }

    /// <summary>Headers the gateway writes itself: Host becomes the instance's; X-Forwarded-* are rebuilt.</summary>
    private static bool IsReplaced(string name) =>
        name.Equals("Host", StringComparison.OrdinalIgnoreCase)
        || name.Equals("Content-Length", StringComparison.OrdinalIgnoreCase)
        || (name.StartsWith("X-Forwarded-", StringComparison.OrdinalIgnoreCase)
            && (name.Equals("X-Forwarded-For", StringComparison.OrdinalIgnoreCase)
                || name.Equals("X-Forwarded-Proto", StringComparison.OrdinalIgnoreCase)
                || name.Equals("X-Forwarded-Host", StringComparison.OrdinalIgnoreCase)
                || name.Equals("X-Forwarded-Prefix", StringComparison.OrdinalIgnoreCase)));

    /// <summary>
    /// W3C trace context of the current span: the attempt's (<see cref="UpstreamSpans"/>) when traces are exported,
    /// else the gateway's server span. The upstream handler's own propagation is off (see
    /// <see cref="DependencyInjection"/>): it would start a client span per request whether or not anything records it.
    /// </summary>
    private static void AddTraceContext(HttpRequestHeaders headers, Activity span)
    {
        headers.TryAddWithoutValidation("traceparent", span.Id);
        if (span.TraceStateString is { Length: > 0 } state)
        {
            headers.TryAddWithoutValidation("tracestate", state);
        }
    }

    private static bool IsTraceContext(string name) =>
        name.Equals("traceparent", StringComparison.OrdinalIgnoreCase)
        || name.Equals("tracestate", StringComparison.OrdinalIgnoreCase);

    private static void RemoveNamedBy(StringValues connection, HttpHeaders headers, HttpHeaders? contentHeaders)
    {
        foreach (var name in HeaderTokens.All(connection))
        {
            headers.Remove(name);
            contentHeaders?.Remove(name);
        }
    }

    private static void Add(HttpHeaders headers, string name, StringValues values)
    {
        if (values.Count == 1)
        {
            headers.TryAddWithoutValidation(name, values[0]);
        }
        else
        {
            headers.TryAddWithoutValidation(name, values.ToArray());
        }
    }
}
