namespace SampleService;

/// <summary>The sample service's log lines, generated so a busy benchmark does not pay for formatting.</summary>
internal static partial class Log
{
    [LoggerMessage(EventId = 1, Level = LogLevel.Information, Message = "{Instance} listening on {Url}")]
    public static partial void Listening(ILogger logger, string instance, string url);

    [LoggerMessage(EventId = 2, Level = LogLevel.Information, Message = "{Instance} {Method} {Target} -> {StatusCode} in {ElapsedMs:0.0} ms")]
    public static partial void RequestCompleted(ILogger logger, string instance, string method, string target, int statusCode, double elapsedMs);

    [LoggerMessage(EventId = 3, Level = LogLevel.Information, Message = "{Instance} {Method} {Target} aborted by the client after {ElapsedMs:0.0} ms")]
    public static partial void RequestAborted(ILogger logger, string instance, string method, string target, double elapsedMs);
}
