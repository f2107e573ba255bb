using System.Globalization;
using Gateway.Application.Forwarding;
using Microsoft.AspNetCore.Mvc;

namespace Gateway.Api.Forwarding;

/// <summary>Writes an instance's response to the client: status, headers, then the body as it arrives.</summary>
internal sealed partial class ForwardedResponseResult(ForwardResult result) : IActionResult
{
    public const string ServiceHeader = "X-Gateway-Service";
    public const string InstanceHeader = "X-Gateway-Instance";
    public const string ResponseTimeHeader = "X-Gateway-Response-Time";

    public async Task ExecuteResultAsync(ActionContext context)
    {
        var http = context.HttpContext;
        await using (result)
        {
            var upstream = result.Response!;
            var response = http.Response;
            response.StatusCode = upstream.StatusCode;
            var headers = response.Headers;
            foreach (var (name, values) in upstream.Headers)
            {
                headers[name] = values;
            }

            headers[ServiceHeader] = result.Service;
            headers[InstanceHeader] = result.Instance!.Id;
            headers[ResponseTimeHeader] = FormatElapsed(result.UpstreamElapsed);

            try
            {
                await upstream.Body.CopyToAsync(response.Body, http.RequestAborted);
            }
            catch (Exception error) when (http.RequestAborted.IsCancellationRequested && error is OperationCanceledException or IOException)
            {
                // The client went away; disposing the result below abandons the instance's connection.
            }
            catch (IOException error)
            {
                // The instance broke off mid-body. The status line is gone already, so the only honest answer left
                // is to break off too, rather than let a truncated body pass for a complete one.
                var logger = http.RequestServices.GetRequiredService<ILogger<ForwardedResponseResult>>();
                LogBodyFailed(logger, error, result.Service, result.Instance.Id);
                http.Abort();
            }
        }
    }

    public static string FormatElapsed(TimeSpan elapsed) =>
        elapsed.TotalMilliseconds.ToString("0.000", CultureInfo.InvariantCulture) + "ms";

    [LoggerMessage(Level = LogLevel.Warning, Message = "{Service} -> {InstanceId}: response body broke off")]
    private static partial void LogBodyFailed(ILogger logger, Exception error, string service, string instanceId);
}
