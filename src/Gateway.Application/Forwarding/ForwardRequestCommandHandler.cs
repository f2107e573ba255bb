using Gateway.Application.Edge;
using Gateway.Application.Health;
using Gateway.Application.Operations;
using Gateway.Application.Shaping;
using Gateway.Application.Telemetry;
using Gateway.Application.Traffic;
using Gateway.Domain;
using Gateway.Domain.Traffic;
using MediatR;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Gateway.Application.Forwarding;

public sealed partial class ForwardRequestCommandHandler(
    ServiceRegistry registry,
    IRequestForwarder forwarder,
    IOptions<HealthCheckOptions> healthOptions,
    IOptions<ResilienceOptions> resilienceOptions,
    GatewayMetrics metrics,
    TrafficHistory traffic,
    TimeProvider timeProvider,
    EventTimeline timeline,
    ILogger<ForwardRequestCommandHandler> logger,
    VersionRouter versionRouter,
    EdgePolicies? edgePolicies = null,
    ShapingPolicies? shapingPolicies = null) : IRequestHandler<ForwardRequestCommand, ForwardResult>
{
    private readonly PassiveHealth _passiveHealth = new(healthOptions.Value, timeProvider, timeline, logger);

    public Task<ForwardResult> Handle(ForwardRequestCommand request, CancellationToken cancellationToken)
    {
        if (!registry.TryGetService(request.Service, out var service))
        {
            return Task.FromResult(ForwardResult.UnknownService(request.Service));
        }

        var shaping = shapingPolicies?.For(service.Name);
        return edgePolicies?.For(service.Name) is { } policy
            ? AdmitAndForwardAsync(policy, request, service, shaping, cancellationToken)
            : ForwardAsync(request, service, shaping, cancellationToken);
    }

    private async Task<ForwardResult> ForwardAsync(
        ForwardRequestCommand request, Service service, ShapingPolicy? shaping, CancellationToken cancellationToken)
    {
        // A plain service pays this null check and no more; a versioned one picks within the version's instances.
        ServiceVersion? version = null;
        if (service.Versions is { } versions)
        {
            var route = versionRouter.Route(request, service, versions);
            if (route.UnknownVersion is { } unknown)
            {
                LogUnknownVersion(logger, request.Method, service.Name, unknown);
                return ForwardResult.UnknownVersion(service, unknown, versions.Names);
            }

            version = route.Version;
            request = route.Request;
        }

        // The instance the client is tied to comes first, while it may take requests and runs the version asked for;
        // the strategy picks otherwise.
        var sticky = shaping?.Affinity?.Find(request.Headers, service);
        if (sticky is not null && version is not null && !string.Equals(sticky.Version, version.Name, StringComparison.OrdinalIgnoreCase))
        {
            sticky = null;
        }

        var instance = sticky ?? (version is null ? service.PickInstance() : version.PickInstance());
        if (instance is null)
        {
            LogNoHealthyInstance(logger, service.Name, request.Method);
            return ForwardResult.NoHealthyInstance(service);
        }

        var maxAttempts = resilienceOptions.Value.MaxAttempts;
        List<Instance>? tried = null;
        for (var attempt = 1; ; attempt++)
        {
            // One attempt on one instance, awaited here rather than in a method of its own: a state machine less per
            // request. A response leaves the request counted in flight, for the result to end.
            instance.BeginRequest();
            var target = new UpstreamRequest(request, service, instance) { Shaping = shaping };
            UpstreamResult upstream;
            try
            {
                upstream = await forwarder.ForwardAsync(target, cancellationToken);
            }
            catch
            {
                instance.EndRequest();
                throw;
            }

            Record(request, service, instance, upstream);
            if (upstream.HasResponse)
            {
                var forwarded = ForwardResult.Forwarded(service, instance, upstream.Response, upstream.Elapsed, attempt, _passiveHealth);
                if (shaping is null)
                {
                    return forwarded;
                }

                try
                {
                    return forwarded.ShapedBy(shaping.Respond(target, sticky));
                }
                catch
                {
                    // The result owns the instance's response and the request's count in flight: both must end.
                    await forwarded.DisposeAsync();
                    throw;
                }
            }

            Instance? next = null;
            if (upstream.Outcome == UpstreamOutcome.NotSent)
            {
                // Nothing left the gateway: any method may go elsewhere, and no instance was tried.
                (tried ??= []).Add(instance);
                next = version is null ? service.PickInstanceOtherThan(tried) : version.PickInstanceOtherThan(tried);
                if (next is null)
                {
                    LogAllCircuitsRefused(logger, service.Name, request.Method);
                    return ForwardResult.Failed(ForwardStatus.NoHealthyInstance, service, instance, upstream.Elapsed, upstream.Error, attempt - 1);
                }

                instance = next;
                attempt--;
                continue;
            }

            if (attempt < maxAttempts && MayRetry(request, upstream))
            {
                (tried ??= []).Add(instance);
                next = version is null ? service.PickInstanceOtherThan(tried) : version.PickInstanceOtherThan(tried);
            }

            if (next is null)
            {
                return ForwardResult.Failed(StatusOf(upstream.Outcome), service, instance, upstream.Elapsed, upstream.Error, attempt);
            }

            LogRetrying(logger, request.Method, service.Name, instance.Id, next.Id, attempt + 1);
            metrics.Retried(service);
            instance = next;
        }
    }

    /// <summary>
    /// Metrics, the access log and passive health for one attempt. A failure ends the request's count in flight here.
    /// </summary>
    private void Record(ForwardRequestCommand request, Service service, Instance instance, UpstreamResult upstream)
    {
        var elapsedMs = upstream.Elapsed.TotalMilliseconds;
        if (upstream.HasResponse)
        {
            var statusCode = upstream.Response.StatusCode;
            metrics.RequestForwarded(service, instance, request.Method, statusCode, upstream.Elapsed);
            traffic.Record(instance, upstream.Elapsed, failed: statusCode >= 500);
            if (logger.IsEnabled(LogLevel.Information))
            {
                // Cut only when the line is written: the path is a new string.
                var path = PathOf(request.PathAndQuery);
                LogForwarded(logger, request.Method, service.Name, path, instance.Id, statusCode, elapsedMs);
            }

            if (statusCode >= 500)
            {
                _passiveHealth.Failed(service, instance, $"answered {statusCode}");
            }
            else
            {
                instance.RecordPassiveSuccess();
            }

            return;
        }

        instance.EndRequest();
        if (upstream.Outcome is UpstreamOutcome.TimedOut or UpstreamOutcome.Unreachable)
        {
            traffic.Record(instance, upstream.Elapsed, failed: true);
            var cause = Describe(upstream.Error);
            LogUpstreamFailed(logger, service.Name, instance.Id, request.Method, upstream.Outcome, elapsedMs, cause);
            _passiveHealth.Failed(service, instance, upstream.Outcome == UpstreamOutcome.TimedOut ? "timed out" : cause);
        }
    }

    /// <summary>
    /// Whether the request can go to another instance without risk of doing its work twice: the instance gave no
    /// answer (a timeout is not retried: the instance may still be working on it, and waiting again would double the
    /// client's wait), the method is idempotent, and no byte of the body has been consumed. An upgrade is never sent
    /// twice: the instance may have switched protocols and started a session before the connection broke.
    /// </summary>
    private static bool MayRetry(ForwardRequestCommand request, UpstreamResult upstream) =>
        upstream.Outcome == UpstreamOutcome.Unreachable
        && !upstream.BodyStarted
        && request.Upgrade is null
        && IsIdempotent(request.Method);

    private static bool IsIdempotent(string method) =>
        method is "GET" or "HEAD" or "OPTIONS" or "PUT" or "DELETE" or "TRACE";

    private static ForwardStatus StatusOf(UpstreamOutcome outcome) => outcome switch
    {
        UpstreamOutcome.TimedOut => ForwardStatus.UpstreamTimeout,
        UpstreamOutcome.Unreachable => ForwardStatus.UpstreamUnreachable,
        UpstreamOutcome.ClientAborted => ForwardStatus.ClientAborted,
        UpstreamOutcome.RequestBodyFailed => ForwardStatus.RequestBodyFailed,
        UpstreamOutcome.Unforwardable => ForwardStatus.Unforwardable,
        _ => throw new InvalidOperationException($"Unexpected upstream outcome {outcome}."),
    };

    [LoggerMessage(Level = LogLevel.Information,
        Message = "{Method} {Service}: retrying on {NextInstanceId} after {InstanceId} gave no answer (attempt {Attempt})")]
    private static partial void LogRetrying(
        ILogger logger, string method, string service, string instanceId, string nextInstanceId, int attempt);

    /// <summary>The path without the query: queries carry tokens and personal data that logs must not keep.</summary>
    private static string PathOf(string pathAndQuery)
    {
        var query = pathAndQuery.IndexOf('?', StringComparison.Ordinal);
        return query < 0 ? pathAndQuery : pathAndQuery[..query];
    }

    [LoggerMessage(Level = LogLevel.Information,
        Message = "{Method} /{Service}{Path} -> {InstanceId} answered {StatusCode} in {ElapsedMs:0.000} ms")]
    private static partial void LogForwarded(
        ILogger logger, string method, string service, string path, string instanceId, int statusCode, double elapsedMs);

    [LoggerMessage(Level = LogLevel.Warning,
        Message = "{Method} {Service} -> {InstanceId} failed: {Outcome} after {ElapsedMs:0.000} ms ({Cause})")]
    private static partial void LogUpstreamFailed(
        ILogger logger, string service, string instanceId, string method, UpstreamOutcome outcome, double elapsedMs, string cause);

    /// <summary>
    /// The failure's messages, outermost first, without the stack: a refused connection is an everyday event for a
    /// gateway, not a bug, and a stack trace per failed request would drown the logs.
    /// </summary>
    private static string Describe(Exception? error)
    {
        var messages = new List<string>();
        for (var current = error; current is not null; current = current.InnerException)
        {
            if (!messages.Contains(current.Message))
            {
                messages.Add(current.Message);
            }
        }

        return messages.Count == 0 ? "no detail" : string.Join(": ", messages);
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "{Method} {Service}: no healthy instance: every instance left has an open circuit")]
    private static partial void LogAllCircuitsRefused(ILogger logger, string service, string method);

    [LoggerMessage(Level = LogLevel.Information, Message = "{Method} {Service}: no instance runs the version {Version} asked for")]
    private static partial void LogUnknownVersion(ILogger logger, string method, string service, string version);

    [LoggerMessage(Level = LogLevel.Warning, Message = "{Method} {Service}: no healthy instance")]
    private static partial void LogNoHealthyInstance(ILogger logger, string service, string method);
}
