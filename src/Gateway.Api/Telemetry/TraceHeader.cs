using System.Diagnostics;

namespace Gateway.Api.Telemetry;

/// <summary>Puts the request's trace id on the response, so that a user can quote it and an operator find the logs.</summary>
internal static class TraceHeader
{
    public const string Name = "X-Trace-Id";

    /// <summary>The current trace id, or null outside a traced request.</summary>
    public static string? CurrentTraceId() =>
        Activity.Current is { IdFormat: ActivityIdFormat.W3C } activity ? activity.TraceId.ToHexString() : null;

    public static void Apply(HttpResponse response)
    {
        if (CurrentTraceId() is { } traceId)
        {
            response.Headers[Name] = traceId;
        }
    }

    /// <summary>Sets the header on every response, the gateway's own and proxied ones alike.</summary>
    public static IApplicationBuilder UseTraceHeader(this IApplicationBuilder app)
    {
        // Resolved here, before the server starts, so that no request comes in without its activity.
        app.ApplicationServices.GetRequiredService<RequestActivities>();
        return app.Use((context, next) =>
        {
            Apply(context.Response);
            return next(context);
        });
    }
}
