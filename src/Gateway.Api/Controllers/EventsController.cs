using System.Globalization;
using System.Text.Json;
using Gateway.Application.Operations;
using Microsoft.AspNetCore.Mvc;

namespace Gateway.Api.Controllers;

/// <summary>
/// What changed the gateway's routing, newest first (<c>GET /events</c>), and as it happens (<c>GET /events/stream</c>,
/// server-sent events, resumable with <c>Last-Event-ID</c>).
/// </summary>
[ApiController]
public sealed class EventsController(EventTimeline timeline, TimeProvider time) : ControllerBase
{
    /// <summary>A comment line this often keeps idle proxies and load balancers from closing a quiet stream.</summary>
    private static readonly TimeSpan KeepAlive = TimeSpan.FromSeconds(15);

    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);

    [HttpGet("/events")]
    public IActionResult Latest([FromQuery] int limit = 100) =>
        Ok(new { events = timeline.Latest(Math.Clamp(limit, 1, EventTimeline.Capacity)) });

    [HttpGet("/events/stream")]
    public async Task Stream()
    {
        var response = Response;
        response.ContentType = "text/event-stream";
        response.Headers.CacheControl = "no-cache";
        // Told to proxies in front of the gateway (nginx) that would otherwise hold events back in a buffer.
        response.Headers["X-Accel-Buffering"] = "no";
        var after = long.TryParse(Request.Headers["Last-Event-ID"], NumberStyles.None, CultureInfo.InvariantCulture, out var id) ? id : 0;
        var aborted = HttpContext.RequestAborted;
        await response.WriteAsync("retry: 2000\n\n", aborted);
        await response.Body.FlushAsync(aborted);

        await using var events = timeline.FollowAsync(after, aborted).GetAsyncEnumerator(aborted);
        var next = events.MoveNextAsync().AsTask();
        try
        {
            while (true)
            {
                bool more;
                try
                {
                    more = await next.WaitAsync(KeepAlive, time, aborted);
                }
                catch (TimeoutException)
                {
                    await response.WriteAsync(": keep-alive\n\n", aborted);
                    await response.Body.FlushAsync(aborted);
                    continue;
                }

                if (!more)
                {
                    return;
                }

                var current = events.Current;
                await response.WriteAsync(
                    $"id: {current.Id.ToString(CultureInfo.InvariantCulture)}\nevent: {current.Kind}\ndata: {JsonSerializer.Serialize(current, Json)}\n\n",
                    aborted);
                await response.Body.FlushAsync(aborted);
                next = events.MoveNextAsync().AsTask();
            }
        }
        catch (OperationCanceledException) when (aborted.IsCancellationRequested)
        {
            // The client went away.
        }
    }
}
