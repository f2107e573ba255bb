using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Gateway.IntegrationTests.Support;

namespace Gateway.IntegrationTests.Operations;

/// <summary><c>GET /events</c> and <c>GET /events/stream</c>: what changed the routing, as a client of the gateway sees it.</summary>
public sealed class EventsTests : IAsyncLifetime
{
    private static readonly TimeSpan Deadline = TimeSpan.FromSeconds(30);

    private TestBackend _a = null!;
    private TestBackend _b = null!;

    public async Task InitializeAsync()
    {
        _a = await TestBackend.StartAsync("a");
        _b = await TestBackend.StartAsync("b");
    }

    public async Task DisposeAsync()
    {
        await _a.DisposeAsync();
        await _b.DisposeAsync();
    }

    [Fact]
    public async Task InstanceDying_ItsEjectionIsStreamedAsItHappens_AndListedAfterwards()
    {
        await using var gateway = new GatewayFactory()
            .WithService("svc", _a, _b)
            .With("Gateway:HealthChecks:PassiveFailureThreshold", "2");
        using var client = gateway.CreateRawClient();
        client.Timeout = Timeout.InfiniteTimeSpan;
        using var stop = new CancellationTokenSource(Deadline);
        using var stream = await client.GetAsync("/events/stream", HttpCompletionOption.ResponseHeadersRead, stop.Token);
        stream.Content.Headers.ContentType?.MediaType.ShouldBe("text/event-stream");
        using var reader = new StreamReader(await stream.Content.ReadAsStreamAsync(stop.Token));

        await _a.KillAsync();
        for (var i = 0; i < 4; i++)
        {
            using var response = await client.GetAsync("/svc/x", stop.Token);
            response.StatusCode.ShouldBe(HttpStatusCode.OK, "the retry on b answers");
        }

        var ejected = await NextEventAsync(reader, "ejected", stop.Token);
        ejected.GetProperty("service").GetString().ShouldBe("svc");
        ejected.GetProperty("instance").GetString().ShouldBe($"127.0.0.1:{_a.Port}");
        ejected.GetProperty("cause").GetString().ShouldNotBeNull().ShouldStartWith("passive:");
        using var listed = await client.GetFromJsonAsync<JsonDocument>("/events", stop.Token);
        var newest = listed!.RootElement.GetProperty("events")[0];
        newest.GetProperty("id").GetInt64().ShouldBe(ejected.GetProperty("id").GetInt64());
        newest.GetProperty("kind").GetString().ShouldBe("ejected");
    }

    [Fact]
    public async Task Stream_WithLastEventId_ResumesAfterIt()
    {
        await using var gateway = new GatewayFactory()
            .WithService("svc", _a, _b)
            .With("Gateway:HealthChecks:PassiveFailureThreshold", "1");
        using var client = gateway.CreateRawClient();
        client.Timeout = Timeout.InfiniteTimeSpan;
        using var stop = new CancellationTokenSource(Deadline);
        await _a.KillAsync();
        await Eventually.TrueAsync(
            async () =>
            {
                using var response = await client.GetAsync("/svc/x", stop.Token);
                using var events = await client.GetFromJsonAsync<JsonDocument>("/events", stop.Token);
                return events!.RootElement.GetProperty("events").GetArrayLength() > 0;
            },
            Deadline,
            "an event");
        using var all = await client.GetFromJsonAsync<JsonDocument>("/events", stop.Token);
        var lastId = all!.RootElement.GetProperty("events")[0].GetProperty("id").GetInt64();

        using var request = new HttpRequestMessage(HttpMethod.Get, "/events/stream");
        request.Headers.TryAddWithoutValidation("Last-Event-ID", (lastId - 1).ToString(System.Globalization.CultureInfo.InvariantCulture));
        using var stream = await client.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, stop.Token);
        using var reader = new StreamReader(await stream.Content.ReadAsStreamAsync(stop.Token));

        var replayed = await NextEventAsync(reader, kind: null, stop.Token);
        replayed.GetProperty("id").GetInt64().ShouldBe(lastId);
    }

    /// <summary>Reads server-sent events until one of the kind (or any, for null) arrives; its data as JSON.</summary>
    private static async Task<JsonElement> NextEventAsync(StreamReader reader, string? kind, CancellationToken cancellationToken)
    {
        string? eventKind = null;
        while (await reader.ReadLineAsync(cancellationToken) is { } line)
        {
            if (line.StartsWith("event: ", StringComparison.Ordinal))
            {
                eventKind = line["event: ".Length..];
            }
            else if (line.StartsWith("data: ", StringComparison.Ordinal) && (kind is null || eventKind == kind))
            {
                using var data = JsonDocument.Parse(line["data: ".Length..]);
                return data.RootElement.Clone();
            }
        }

        throw new InvalidOperationException($"The stream ended before a '{kind}' event.");
    }
}
