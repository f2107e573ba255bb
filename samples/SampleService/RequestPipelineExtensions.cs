using System.Diagnostics;
using Microsoft.AspNetCore.Http.Features;

namespace SampleService;

/// <summary>What every response of the sample service gets: the instance header and a log line.</summary>
internal static class RequestPipelineExtensions
{
    public const string InstanceHeader = "X-Instance";

    public static WebApplication UseSampleServiceConventions(this WebApplication app, string instance)
    {
        ArgumentNullException.ThrowIfNull(app);
        ArgumentException.ThrowIfNullOrWhiteSpace(instance);

        var logger = app.Logger;
        app.Use(async (context, next) =>
        {
            // Set when the headers go out rather than now, so 404s, problems and error pages carry it too.
            context.Response.OnStarting(() =>
            {
                context.Response.Headers[InstanceHeader] = instance;
                return Task.CompletedTask;
            });

            var started = Stopwatch.GetTimestamp();
            try
            {
                await next(context);
            }
            finally
            {
                // The target is worked out only when the line is written, so a benchmark with logging off pays nothing.
                if (logger.IsEnabled(LogLevel.Information))
                {
                    var elapsedMs = Stopwatch.GetElapsedTime(started).TotalMilliseconds;
                    var target = RawTarget(context);
                    if (context.RequestAborted.IsCancellationRequested)
                    {
                        Log.RequestAborted(logger, instance, context.Request.Method, target, elapsedMs);
                    }
                    else
                    {
                        Log.RequestCompleted(logger, instance, context.Request.Method, target, context.Response.StatusCode, elapsedMs);
                    }
                }
            }
        });

        return app;
    }

    /// <summary>The request target exactly as the client sent it, percent-encodings included.</summary>
    public static string RawTarget(HttpContext context)
    {
        ArgumentNullException.ThrowIfNull(context);

        // Path and QueryString are decoded and re-encoded, which would hide whether a proxy kept %2F or %20 intact.
        var request = context.Request;
        return context.Features.Get<IHttpRequestFeature>()?.RawTarget ?? $"{request.PathBase}{request.Path}{request.QueryString}";
    }
}
