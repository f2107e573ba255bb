using System.Net.Http.Headers;
using System.Text.Json;

namespace SampleService;

/// <summary>The three calls of the gateway's admin API a self-registering instance makes: register, heartbeat, deregister.</summary>
/// <remarks>
/// Every call answers a <see cref="GatewayAnswer"/> instead of throwing, whatever happened to it (no connection, a
/// timeout, an error status), so that the caller decides what to retry. Only its own cancellation escapes.
/// </remarks>
internal sealed class GatewayAdminClient : IDisposable
{
    private readonly HttpClient _http;
    private readonly RegistrationArguments _registration;

    public GatewayAdminClient(RegistrationArguments registration)
    {
        ArgumentNullException.ThrowIfNull(registration);
        _registration = registration;

        // Each call gets its own timeout instead; connections are renewed now and then, in case the gateway's
        // address is a DNS name that moves.
        _http = new HttpClient(new SocketsHttpHandler { PooledConnectionLifetime = TimeSpan.FromMinutes(1) })
        {
            BaseAddress = registration.Gateway,
            Timeout = Timeout.InfiniteTimeSpan,
        };
        _http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", registration.AdminKey);
    }

    /// <summary>Registers <c>AdvertiseHost:port</c>, or refreshes it if it is registered already; a success carries the instance id.</summary>
    public async Task<GatewayAnswer> RegisterAsync(int port, TimeSpan timeout, CancellationToken cancellationToken)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, $"{ServicePath()}/instances")
        {
            Content = JsonContent.Create(new { host = _registration.AdvertiseHost, port, ttlSeconds = _registration.TtlSeconds }),
        };
        return await SendAsync(request, timeout, readId: true, cancellationToken);
    }

    /// <summary>Renews the instance's lease; 404 means the gateway no longer knows it.</summary>
    public async Task<GatewayAnswer> HeartbeatAsync(string instanceId, TimeSpan timeout, CancellationToken cancellationToken)
    {
        using var request = new HttpRequestMessage(HttpMethod.Put, $"{InstancePath(instanceId)}/heartbeat");
        return await SendAsync(request, timeout, readId: false, cancellationToken);
    }

    public async Task<GatewayAnswer> DeregisterAsync(string instanceId, TimeSpan timeout, CancellationToken cancellationToken)
    {
        using var request = new HttpRequestMessage(HttpMethod.Delete, InstancePath(instanceId));
        return await SendAsync(request, timeout, readId: false, cancellationToken);
    }

    public void Dispose() => _http.Dispose();

    // Relative to the base address, which ends with '/', so that a gateway behind a path prefix works too.
    private string ServicePath() => $"admin/services/{Uri.EscapeDataString(_registration.Service)}";

    private string InstancePath(string instanceId) => $"{ServicePath()}/instances/{Uri.EscapeDataString(instanceId)}";

    private async Task<GatewayAnswer> SendAsync(HttpRequestMessage request, TimeSpan timeout, bool readId, CancellationToken cancellationToken)
    {
        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        deadline.CancelAfter(timeout);
        try
        {
            using var response = await _http.SendAsync(request, deadline.Token);
            var status = (int)response.StatusCode;
            var text = await response.Content.ReadAsStringAsync(deadline.Token);
            return response.IsSuccessStatusCode
                ? new GatewayAnswer(status, readId ? ReadString(text, "id") : null, null)
                : new GatewayAnswer(status, null, $"{status} {response.ReasonPhrase}{Detail(text)}");
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            return new GatewayAnswer(null, null, $"no answer within {timeout.TotalSeconds:0.#} s");
        }
        catch (HttpRequestException error)
        {
            return new GatewayAnswer(null, null, error.Message);
        }
    }

    /// <summary>The gateway's errors are problem+json; their <c>detail</c> says what is wrong.</summary>
    private static string Detail(string body) => ReadString(body, "detail")?.TrimEnd('.') is { Length: > 0 } detail ? $": {detail}" : "";

    private static string? ReadString(string json, string property)
    {
        try
        {
            using var document = JsonDocument.Parse(json);
            return document.RootElement.ValueKind == JsonValueKind.Object
                && document.RootElement.TryGetProperty(property, out var value)
                && value.ValueKind == JsonValueKind.String
                ? value.GetString()
                : null;
        }
        catch (JsonException)
        {
            return null;
        }
    }
}

/// <summary>What became of one admin call.</summary>
/// <param name="StatusCode">The gateway's status; null when no answer came (no connection, a timeout).</param>
/// <param name="InstanceId">The id the gateway gave a registration.</param>
/// <param name="Failure">Why the call failed; null when it succeeded.</param>
internal sealed record GatewayAnswer(int? StatusCode, string? InstanceId, string? Failure)
{
    public bool Succeeded => Failure is null;
}
