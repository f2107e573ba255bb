using System.Text.Json;
using Gateway.Api.Status;
using Gateway.Application.Operations;
using Gateway.Domain;

namespace Gateway.Api.Dashboard;

/// <summary>
/// Writes <c>GET /dashboard/data</c>: every service's instances as <c>/services</c> shows them, with the traffic of the
/// last seconds, and the minutes of history behind the charts only for the services the page has on screen.
/// </summary>
/// <remarks>
/// The page asks for it every second, for a registry that may hold thousands of services: it carries only what the
/// page draws, is written straight to the response in pieces, and the per-period history (the costly part to read
/// and to send) only for the few services named in <c>series</c>.
/// </remarks>
internal static class DashboardDataWriter
{
    /// <summary>The periods the current figures cover: recent enough to follow a change, long enough not to flicker.</summary>
    public const int RecentPeriods = 5;

    /// <summary>The periods a chart draws: the whole ring but the slot still filling.</summary>
    public const int ChartPeriods = TrafficWindow.Slots - 1;

    /// <summary>The most services whose history one request may ask for: more rows than a screen shows.</summary>
    public const int MaxSeries = 100;

    private const int FlushThreshold = 64 * 1024;

    private static readonly Comparison<Service> ByName = static (a, b) => string.CompareOrdinal(a.Name, b.Name);

    public static async Task WriteAsync(
        HttpResponse response,
        DashboardState state,
        IReadOnlySet<string> series,
        CancellationToken cancellationToken)
    {
        var services = new List<Service>(state.Registry.Count);
        services.AddRange(state.Registry.Services);
        services.Sort(ByName);

        response.StatusCode = StatusCodes.Status200OK;
        response.ContentType = "application/json; charset=utf-8";
        response.Headers.CacheControl = "no-store";
        var body = response.BodyWriter;
        await using var writer = new Utf8JsonWriter(body);
        writer.WriteStartObject();
        writer.WriteString("at", state.Now);
        writer.WriteNumber("slotSeconds", TrafficWindow.SlotSeconds);
        writer.WriteNumber("recentSeconds", RecentPeriods * TrafficWindow.SlotSeconds);
        writer.WriteBoolean("adminApi", state.AdminApi);
        writer.WritePropertyName("config");
        JsonSerializer.Serialize(writer, state.Configuration, StatusJsonContext.Default.ConfigurationStatus);
        writer.WritePropertyName("registryStore");
        JsonSerializer.Serialize(writer, state.Store, StatusJsonContext.Default.StoreState);
        writer.WriteStartArray("services");
        foreach (var service in services)
        {
            WriteService(writer, service, state.Traffic, series.Contains(service.Name));
            if (writer.BytesPending >= FlushThreshold)
            {
                writer.Flush();
                await body.FlushAsync(cancellationToken);
            }
        }

        writer.WriteEndArray();
        writer.WriteEndObject();
        writer.Flush();
        await body.FlushAsync(cancellationToken);
    }

    private static void WriteService(Utf8JsonWriter writer, Service service, TrafficHistory traffic, bool withSeries)
    {
        var instances = service.Instances;
        writer.WriteStartObject();
        writer.WriteString("name", service.Name);
        writer.WriteString("loadBalancer", service.LoadBalancer.Name);
        WriteFigures(writer, traffic.Total(instances, RecentPeriods));
        writer.WriteStartArray("instances");
        foreach (var instance in instances)
        {
            WriteInstance(writer, instance, traffic);
        }

        writer.WriteEndArray();
        if (withSeries)
        {
            WriteSeries(writer, traffic.Periods(instances, ChartPeriods));
        }

        writer.WriteEndObject();
    }

    private static void WriteInstance(Utf8JsonWriter writer, Instance instance, TrafficHistory traffic)
    {
        var view = InstanceView.From(instance);
        writer.WriteStartObject();
        writer.WriteString("id", view.Id);
        writer.WriteBoolean("healthy", view.Healthy);
        writer.WriteBoolean("available", view.Available);
        writer.WriteBoolean("draining", view.Draining);
        writer.WriteBoolean("dynamic", view.Dynamic);
        writer.WriteString("circuit", view.Circuit);
        writer.WriteNumber("activeRequests", view.ActiveRequests);
        writer.WriteString("ejectedBy", view.EjectedBy);
        writer.WriteString("ejectionCause", view.EjectionCause);
        writer.WritePropertyName("override");
        if (view.Override is { } decision)
        {
            writer.WriteStartObject();
            writer.WriteString("reason", decision.Reason);
            writer.WriteString("at", decision.At);
            if (decision.Until is { } until)
            {
                writer.WriteString("until", until);
            }
            else
            {
                writer.WriteNull("until");
            }

            writer.WriteString("by", decision.By);
            writer.WriteEndObject();
        }
        else
        {
            writer.WriteNullValue();
        }

        WriteFigures(writer, traffic.Total([instance], RecentPeriods));
        writer.WriteEndObject();
    }

    /// <summary>Requests a second, the share that failed, and the median and 99th percentile latency in ms.</summary>
    private static void WriteFigures(Utf8JsonWriter writer, TrafficTotals totals)
    {
        var (rate, errorRate, p50, p99) = Figures(totals, RecentPeriods * TrafficWindow.SlotSeconds);
        writer.WriteNumber("rate", rate);
        WriteNumberOrNull(writer, "errorRate", errorRate);
        WriteNumberOrNull(writer, "p50", p50);
        WriteNumberOrNull(writer, "p99", p99);
    }

    private static void WriteSeries(Utf8JsonWriter writer, TrafficTotals[] periods)
    {
        var figures = Array.ConvertAll(periods, period => Figures(period, TrafficWindow.SlotSeconds));
        writer.WriteStartObject("series");
        WriteArray(writer, "rate", figures, static f => f.Rate);
        WriteArray(writer, "errorRate", figures, static f => f.ErrorRate);
        WriteArray(writer, "p50", figures, static f => f.P50);
        WriteArray(writer, "p99", figures, static f => f.P99);
        writer.WriteEndObject();
    }

    private static void WriteArray(Utf8JsonWriter writer, string name, Figure[] figures, Func<Figure, double?> value)
    {
        writer.WriteStartArray(name);
        foreach (var figure in figures)
        {
            if (value(figure) is { } number)
            {
                writer.WriteNumberValue(number);
            }
            else
            {
                writer.WriteNullValue();
            }
        }

        writer.WriteEndArray();
    }

    private static void WriteNumberOrNull(Utf8JsonWriter writer, string name, double? value)
    {
        if (value is { } number)
        {
            writer.WriteNumber(name, number);
        }
        else
        {
            writer.WriteNull(name);
        }
    }

    private static Figure Figures(TrafficTotals totals, int seconds)
    {
        if (totals.Requests == 0)
        {
            return new(0, null, null, null);
        }

        return new(
            Math.Round((double)totals.Requests / seconds, 2),
            Math.Round((double)totals.Failures / totals.Requests, 4),
            Math.Round(totals.LatencyMs(0.5)!.Value, 2),
            Math.Round(totals.LatencyMs(0.99)!.Value, 2));
    }

    /// <param name="ErrorRate">Null, as the latencies are, when there were no requests to have a share of.</param>
    private readonly record struct Figure(double Rate, double? ErrorRate, double? P50, double? P99);
}
