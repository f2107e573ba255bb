using System.Diagnostics;

namespace Gateway.Api.Telemetry;

/// <summary>
/// Has the host start each request's <see cref="Activity"/> without its logging scope.
/// </summary>
/// <remarks>
/// The host starts a request's activity when its diagnostics logger is on or when a listener samples its source.
/// The gateway needs the activity: it is the trace context sent on to instances, the trace id on the response and on
/// every log event. It does not need that logger, which only writes lines the gateway's own access log replaces and
/// opens a logging scope per request (a request id and a connection id the trace id already stands for, at two
/// <see cref="AsyncLocal{T}"/> writes and about 0.4 KB a request). So the logger is off (see
/// <c>SerilogSetup</c>) and this listener asks for the activity. It takes propagation data only (the host collects no
/// tags) unless the caller sampled the trace: a span sampled upstream is marked recorded, since only a recorded
/// activity passes the caller's sampled flag on to the instance. An OpenTelemetry tracer that samples more still gets
/// its full spans: a source's sampling takes the most any listener asks for.
/// </remarks>
internal sealed class RequestActivities : IDisposable
{
    /// <summary>The host's <see cref="ActivitySource"/> for incoming requests.</summary>
    public const string SourceName = "Microsoft.AspNetCore";

    private readonly ActivityListener _listener = new()
    {
        ShouldListenTo = static source => source.Name == SourceName,
        Sample = static (ref ActivityCreationOptions<ActivityContext> request) =>
            (request.Parent.TraceFlags & ActivityTraceFlags.Recorded) != 0
                ? ActivitySamplingResult.AllDataAndRecorded
                : ActivitySamplingResult.PropagationData,
    };

    public RequestActivities() => ActivitySource.AddActivityListener(_listener);

    public void Dispose() => _listener.Dispose();
}
