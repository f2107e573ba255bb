using System.Net.Http.Json;
using System.Text.Json;

namespace Gateway.IntegrationTests.Support;

/// <summary>Reads <c>GET /services</c> the way an operator's script would.</summary>
public static class ServicesView
{
    /// <summary>The JSON object of one instance of one service.</summary>
    public static async Task<JsonElement> InstanceAsync(HttpClient client, string service, int port)
    {
        using var document = await client.GetFromJsonAsync<JsonDocument>("/services");
        foreach (var candidate in document!.RootElement.GetProperty("services").EnumerateArray())
        {
            if (candidate.GetProperty("name").GetString() != service)
            {
                continue;
            }

            foreach (var instance in candidate.GetProperty("instances").EnumerateArray())
            {
                if (instance.GetProperty("port").GetInt32() == port)
                {
                    return instance.Clone();
                }
            }
        }

        throw new InvalidOperationException($"No instance on port {port} in service {service}.");
    }

    public static async Task<bool> IsHealthyAsync(HttpClient client, string service, int port) =>
        (await InstanceAsync(client, service, port)).GetProperty("healthy").GetBoolean();

    public static async Task<bool> HasBeenCheckedAsync(HttpClient client, string service, int port) =>
        (await InstanceAsync(client, service, port)).GetProperty("lastCheck").ValueKind == JsonValueKind.Object;
}
