using System.Text.Json;
using Gateway.Application.Registration;
using Gateway.Domain;

namespace Gateway.Api.Status;

/// <summary>
/// Writes <c>GET /services</c> straight to the response: one service's view at a time, through generated serialization
/// code, flushed in pieces, so a registry of thousands of instances neither builds the whole answer in memory nor
/// walks it by reflection.
/// </summary>
internal static class ServicesWriter
{
    /// <summary>How much is written before it is handed to the connection.</summary>
    private const int FlushThreshold = 64 * 1024;

    private static readonly Comparison<Service> ByName = static (a, b) => string.CompareOrdinal(a.Name, b.Name);


    /// <param name="indented">For a person reading it in a terminal rather than a program: one field per line.</param>
    public static async Task WriteAsync(
        HttpResponse response,
        ServiceRegistry registry,
        StoreState storeState,
        ConfigurationStatus configuration,
        bool indented,
        CancellationToken cancellationToken)
    {
        var services = new List<Service>(registry.Count);
        services.AddRange(registry.Services);
        services.Sort(ByName);

        response.StatusCode = StatusCodes.Status200OK;
        response.ContentType = "application/json; charset=utf-8";
        var body = response.BodyWriter;
        await using var writer = new Utf8JsonWriter(body, new JsonWriterOptions { Indented = indented });
        writer.WriteStartObject();
        writer.WriteStartArray("services");
        foreach (var service in services)
        {
            JsonSerializer.Serialize(writer, ServiceView.From(service), StatusJsonContext.Default.ServiceView);
            if (writer.BytesPending >= FlushThreshold)
            {
                writer.Flush();
                await body.FlushAsync(cancellationToken);
            }
        }

        writer.WriteEndArray();
        writer.WritePropertyName("registryStore");
        JsonSerializer.Serialize(writer, storeState, StatusJsonContext.Default.StoreState);
        writer.WritePropertyName("config");
        JsonSerializer.Serialize(writer, configuration, StatusJsonContext.Default.ConfigurationStatus);
        writer.WriteEndObject();
        writer.Flush();
        await body.FlushAsync(cancellationToken);
    }
}
