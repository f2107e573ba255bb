using System.Diagnostics;
using Gateway.Application.Forwarding;

namespace Gateway.Infrastructure.Http;

/// <summary>
/// One client span per attempt to reach an instance, so that a retry shows as a sibling of the attempt it follows
/// under the gateway's server span, and the instance's own spans hang below the attempt that reached it.
/// </summary>
/// <remarks>
/// The upstream handler's own diagnostics are off (see <see cref="DependencyInjection"/>), so this source is the
/// only one. While nothing listens to it (no trace exporter configured), <see cref="Start"/> returns null at the cost
/// of one check, and the gateway's server span stays the instance's parent.
/// </remarks>
public static class UpstreamSpans
{
    public const string SourceName = "MsaGateway.Upstream";

    private static readonly ActivitySource Source = new(SourceName);

    /// <summary>Starts the attempt's span and makes it current, so the trace context the forwarder writes is its own.</summary>
    public static Activity? Start(UpstreamRequest request)
    {
        ArgumentNullException.ThrowIfNull(request);
        var span = Source.StartActivity(request.Command.Method, ActivityKind.Client);
        if (span is { IsAllDataRequested: true })
        {
            span.SetTag("http.request.method", request.Command.Method);
            span.SetTag("server.address", request.Instance.Host);
            span.SetTag("server.port", request.Instance.Port);
            var target = request.Command.PathAndQuery;
            // The path only: a query may carry tokens, and spans leave the gateway.
            span.SetTag("url.path", target.IndexOf('?', StringComparison.Ordinal) is var query and >= 0 ? target[..query] : target);
            span.SetTag("gateway.service", request.Service.Name);
            span.SetTag("gateway.instance", request.Instance.Id);
        }

        return span;
    }

    public static void Responded(Activity? span, int statusCode)
    {
        if (span is { IsAllDataRequested: true })
        {
            span.SetTag("http.response.status_code", statusCode);
            if (statusCode >= 500)
            {
                span.SetStatus(ActivityStatusCode.Error);
            }
        }
    }

    public static void Failed(Activity? span, UpstreamOutcome outcome)
    {
        if (span is { IsAllDataRequested: true })
        {
            span.SetTag("error.type", outcome.ToString());
            span.SetStatus(ActivityStatusCode.Error, outcome.ToString());
        }
    }
}
