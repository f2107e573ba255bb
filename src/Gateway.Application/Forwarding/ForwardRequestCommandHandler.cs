using Gateway.Domain;
using MediatR;
using Microsoft.Extensions.Logging;

namespace Gateway.Application.Forwarding;

public sealed partial class ForwardRequestCommandHandler(
    ServiceRegistry registry,
    IRequestForwarder forwarder,
    ILogger<ForwardRequestCommandHandler> logger) : IRequestHandler<ForwardRequestCommand, ForwardResult>
{
    public async Task<ForwardResult> Handle(ForwardRequestCommand request, CancellationToken cancellationToken)
    {
        if (!registry.TryGetService(request.Service, out var service))
        {
            return ForwardResult.UnknownService(request.Service);
        }

        var instance = service.PickInstance();
        if (instance is null)
        {
            LogNoHealthyInstance(logger, service.Name, request.Method);
            return ForwardResult.NoHealthyInstance(service);
        }

        instance.BeginRequest();
        UpstreamResult upstream;
        try
        {
            upstream = await forwarder.ForwardAsync(new UpstreamRequest(request, service, instance), cancellationToken);
        }
        catch
        {
            instance.EndRequest();
            throw;
        }

        var elapsedMs = upstream.Elapsed.TotalMilliseconds;
        if (upstream.Outcome == UpstreamOutcome.Responded)
        {
            LogForwarded(logger, service.Name, instance.Id, request.Method, upstream.Response!.StatusCode, elapsedMs);
            return ForwardResult.Forwarded(service, instance, upstream.Response, upstream.Elapsed);
        }

        instance.EndRequest();
        var status = upstream.Outcome switch
        {
            UpstreamOutcome.TimedOut => ForwardStatus.UpstreamTimeout,
            UpstreamOutcome.Unreachable => ForwardStatus.UpstreamUnreachable,
            UpstreamOutcome.ClientAborted => ForwardStatus.ClientAborted,
            UpstreamOutcome.RequestBodyFailed => ForwardStatus.RequestBodyFailed,
            _ => throw new InvalidOperationException($"Unexpected upstream outcome {upstream.Outcome}."),
        };

        if (status is ForwardStatus.UpstreamTimeout or ForwardStatus.UpstreamUnreachable)
        {
            LogUpstreamFailed(logger, service.Name, instance.Id, request.Method, upstream.Outcome, elapsedMs, Describe(upstream.Error));
        }

        return ForwardResult.Failed(status, service, instance, upstream.Elapsed, upstream.Error);
    }

    [LoggerMessage(Level = LogLevel.Information,
        Message = "{Method} {Service} -> {InstanceId} answered {StatusCode} in {ElapsedMs:0.000} ms")]
    private static partial void LogForwarded(
        ILogger logger, string service, string instanceId, string method, int statusCode, double elapsedMs);

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

    [LoggerMessage(Level = LogLevel.Warning, Message = "{Method} {Service}: no healthy instance")]
    private static partial void LogNoHealthyInstance(ILogger logger, string service, string method);
}
