using Gateway.Application.Edge;
using Gateway.Application.Shaping;
using Gateway.Domain;
using Microsoft.Extensions.Logging;

namespace Gateway.Application.Forwarding;

public sealed partial class ForwardRequestCommandHandler
{
    /// <summary>The service's edge policies first: a refused request never reaches the choice of an instance.</summary>
    private async Task<ForwardResult> AdmitAndForwardAsync(
        EdgePolicy policy, ForwardRequestCommand request, Service service, ShapingPolicy? shaping, CancellationToken cancellationToken)
    {
        var admission = await policy.AdmitAsync(request, cancellationToken);
        if (admission.Verdict != EdgeVerdict.Admitted)
        {
            metrics.EdgeRefused(service, admission.Reason);
            LogRefused(logger, request.Method, service.Name, admission.Reason, admission.ApiKeyName ?? "-");
            return ForwardResult.Refused(service, admission);
        }

        if (admission.ApiKeyName is { } keyName)
        {
            metrics.ApiKeyUsed(service, keyName);
            LogApiKey(logger, request.Method, service.Name, keyName);
        }

        try
        {
            return (await ForwardAsync(admission.Request!, service, shaping, cancellationToken)).AdmittedBy(admission);
        }
        catch
        {
            admission.Dispose();
            throw;
        }
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "{Method} {Service}: refused at the edge ({Reason}, API key {ApiKeyName})")]
    private static partial void LogRefused(ILogger logger, string method, string service, string reason, string apiKeyName);

    [LoggerMessage(Level = LogLevel.Debug, Message = "{Method} {Service}: API key {ApiKeyName}")]
    private static partial void LogApiKey(ILogger logger, string method, string service, string apiKeyName);
}
