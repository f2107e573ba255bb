using System.Buffers;
using System.Globalization;

namespace SampleService;

/// <summary>The endpoints a newcomer calls through the gateway, each answering with the instance's name.</summary>
internal static class SampleEndpoints
{
    private const int ChunkSize = 64 * 1024;
    private const double MaxDelaySeconds = 300;
    private const long MaxByteCount = 10L * 1024 * 1024 * 1024;

    // Byte i of every /bytes body is i % 251. The period is prime so that it does not divide the chunk size:
    // consecutive chunks differ, and a proxy that drops, repeats or reorders a chunk changes the checksum.
    private const int PatternPeriod = 251;

    private static readonly byte[] Pattern = CreatePattern();
    private static readonly string[] Users = ["user1", "user2"];

    public static IEndpointRouteBuilder MapSampleEndpoints(this IEndpointRouteBuilder app, string instance)
    {
        ArgumentNullException.ThrowIfNull(app);
        ArgumentException.ThrowIfNullOrWhiteSpace(instance);

        var health = new HealthSwitch();

        app.MapGet("/health", () => health.IsHealthy
            ? Results.Json(new { status = "healthy", instance })
            : Results.Json(new { status = "unhealthy", instance }, statusCode: StatusCodes.Status503ServiceUnavailable));

        app.MapPost("/health/toggle", () =>
            Results.Json(new { status = health.Toggle() ? "healthy" : "unhealthy", instance }));

        app.MapGet("/users", () => Results.Json(new { users = Users, instance }));

        app.MapGet("/orders", () => Results.Json(new
        {
            orders = new[]
            {
                new { id = 1, user = "user1", item = "keyboard", quantity = 1 },
                new { id = 2, user = "user2", item = "monitor", quantity = 2 },
            },
            instance,
        }));

        // A catch-all parameter may be empty, so this also answers /echo itself.
        app.Map("/echo/{**rest}", (HttpRequest request, CancellationToken aborted) => EchoAsync(request, instance, aborted));

        app.MapGet("/delay/{seconds}", (string seconds, CancellationToken aborted) => DelayAsync(seconds, instance, aborted));

        app.Map("/status/{code}", (string code) => Status(code, instance));

        app.MapGet("/bytes/{count}", (string count, HttpResponse response, CancellationToken aborted) =>
            BytesAsync(count, response, aborted));

        return app;
    }

    private static async Task<IResult> EchoAsync(HttpRequest request, string instance, CancellationToken aborted)
    {
        var target = RequestPipelineExtensions.RawTarget(request.HttpContext);
        var headers = request.Headers.ToDictionary(header => header.Key, header => header.Value.ToArray(), StringComparer.OrdinalIgnoreCase);

        long bodyLength;
        try
        {
            bodyLength = await CountBytesAsync(request.Body, aborted);
        }
        catch (OperationCanceledException) when (aborted.IsCancellationRequested)
        {
            return Results.Empty;
        }

        return Results.Json(new { method = request.Method, path = target, headers, bodyLength, instance });
    }

    private static async Task<IResult> DelayAsync(string seconds, string instance, CancellationToken aborted)
    {
        if (!double.TryParse(seconds, NumberStyles.Float, CultureInfo.InvariantCulture, out var delay)
            || !double.IsFinite(delay) || delay < 0 || delay > MaxDelaySeconds)
        {
            return Results.Problem(
                detail: $"'{seconds}' is not a number of seconds from 0 to {MaxDelaySeconds}.",
                statusCode: StatusCodes.Status400BadRequest);
        }

        try
        {
            // Nothing is written before the delay ends, so a proxy waiting for response headers sees a slow upstream.
            await Task.Delay(TimeSpan.FromSeconds(delay), aborted);
        }
        catch (OperationCanceledException) when (aborted.IsCancellationRequested)
        {
            return Results.Empty;
        }

        return Results.Json(new { delayedSeconds = delay, instance });
    }

    private static IResult Status(string code, string instance)
    {
        if (!int.TryParse(code, NumberStyles.None, CultureInfo.InvariantCulture, out var status) || status is < 100 or > 599)
        {
            return Results.Problem(
                detail: $"'{code}' is not an HTTP status code from 100 to 599.",
                statusCode: StatusCodes.Status400BadRequest);
        }

        // These statuses must not carry a body; Kestrel throws if one is written.
        if (status is < 200 or StatusCodes.Status204NoContent or StatusCodes.Status304NotModified)
        {
            return Results.StatusCode(status);
        }

        return Results.Json(new { status, instance }, statusCode: status);
    }

    private static async Task<IResult> BytesAsync(string count, HttpResponse response, CancellationToken aborted)
    {
        if (!long.TryParse(count, NumberStyles.None, CultureInfo.InvariantCulture, out var length) || length > MaxByteCount)
        {
            return Results.Problem(
                detail: $"'{count}' is not a byte count from 0 to {MaxByteCount} (10 GiB).",
                statusCode: StatusCodes.Status400BadRequest);
        }

        response.ContentType = "application/octet-stream";
        response.ContentLength = length;

        try
        {
            for (long offset = 0; offset < length;)
            {
                var size = (int)Math.Min(ChunkSize, length - offset);
                await response.Body.WriteAsync(Pattern.AsMemory((int)(offset % PatternPeriod), size), aborted);
                offset += size;
            }
        }
        catch (OperationCanceledException) when (aborted.IsCancellationRequested)
        {
            // The client went away mid-body; there is no one left to answer.
        }

        return Results.Empty;
    }

    private static async Task<long> CountBytesAsync(Stream body, CancellationToken cancellationToken)
    {
        var buffer = ArrayPool<byte>.Shared.Rent(ChunkSize);
        try
        {
            long total = 0;
            int read;
            while ((read = await body.ReadAsync(buffer, cancellationToken)) > 0)
            {
                total += read;
            }

            return total;
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }

    private static byte[] CreatePattern()
    {
        // One chunk plus a full period, so a chunk starting at any phase of the pattern is a slice of this array.
        var pattern = new byte[ChunkSize + PatternPeriod];
        for (var i = 0; i < pattern.Length; i++)
        {
            pattern[i] = (byte)(i % PatternPeriod);
        }

        return pattern;
    }
}
