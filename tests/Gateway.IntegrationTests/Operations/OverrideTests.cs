using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Gateway.IntegrationTests.Support;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;

namespace Gateway.IntegrationTests.Operations;

/// <summary>An operator takes an instance out through the admin API, for a time or until restored.</summary>
public sealed class OverrideTests : IAsyncLifetime
{
    private const string Key = "override-tests-admin-key-0123456789";
    private static readonly TimeSpan Deadline = TimeSpan.FromSeconds(30);

    private readonly FakeTimeProvider _clock = new(new DateTimeOffset(2026, 1, 1, 0, 0, 0, TimeSpan.Zero));
    private TestBackend _a = null!;
    private TestBackend _b = null!;
    private GatewayFactory _gateway = null!;
    private HttpClient _client = null!;

    private string InstanceA => $"127.0.0.1:{_a.Port}";

    public async Task InitializeAsync()
    {
        _a = await TestBackend.StartAsync("a");
        _b = await TestBackend.StartAsync("b");
        _gateway = new GatewayFactory()
            .WithService("svc", _a, _b)
            .With("GATEWAY_ADMIN_KEY", Key)
            .WithServices(services => services.AddSingleton<TimeProvider>(_clock));
        _client = _gateway.CreateRawClient();
        _client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", Key);
    }

    public async Task DisposeAsync()
    {
        _client.Dispose();
        await _gateway.DisposeAsync();
        await _a.DisposeAsync();
        await _b.DisposeAsync();
    }

    [Fact]
    public async Task Override_ForAMinute_KeepsTheInstanceOutWithWhoAndWhy_ThenEndsByItself()
    {
        using var set = await _client.PostAsJsonAsync(
            $"/admin/services/svc/instances/{InstanceA}/override", new { @out = true, minutes = 1, reason = "kernel upgrade" });

        set.StatusCode.ShouldBe(HttpStatusCode.OK, await set.Content.ReadAsStringAsync());
        (await _client.AnsweredByAsync("/svc/x", 4)).ShouldAllBe(backend => backend == "b");
        var shown = (await ServicesView.InstanceAsync(_client, "svc", _a.Port)).GetProperty("override");
        shown.GetProperty("out").GetBoolean().ShouldBeTrue();
        shown.GetProperty("reason").GetString().ShouldBe("kernel upgrade");
        shown.GetProperty("until").GetDateTimeOffset().ShouldBe(_clock.GetUtcNow() + TimeSpan.FromMinutes(1));
        shown.GetProperty("by").GetString().ShouldBe(Fingerprint(Key));
        (await ServicesView.InstanceAsync(_client, "svc", _a.Port)).GetProperty("ejectedBy").GetString().ShouldBe("override");

        _clock.Advance(TimeSpan.FromMinutes(1));

        await Eventually.TrueAsync(
            async () => (await ServicesView.InstanceAsync(_client, "svc", _a.Port)).GetProperty("override").ValueKind == JsonValueKind.Null,
            Deadline,
            "the override to expire");
        (await _client.AnsweredByAsync("/svc/x", 4)).ShouldContain("a");
        var kinds = await EventKindsAsync();
        kinds.Take(2).ShouldBe(["override_ended", "override"]);
    }

    [Fact]
    public async Task Override_UntilRestored_EndsOnlyWithDelete()
    {
        using var set = await _client.PostAsJsonAsync(
            $"/admin/services/svc/instances/{InstanceA}/override", new { @out = true, minutes = 0, reason = "suspect disk" });
        set.StatusCode.ShouldBe(HttpStatusCode.OK);
        _clock.Advance(TimeSpan.FromDays(30));
        (await _client.AnsweredByAsync("/svc/x", 4)).ShouldAllBe(backend => backend == "b");
        (await ServicesView.InstanceAsync(_client, "svc", _a.Port)).GetProperty("override").GetProperty("until").ValueKind.ShouldBe(JsonValueKind.Null);

        using var restored = await _client.DeleteAsync($"/admin/services/svc/instances/{InstanceA}/override");
        using var again = await _client.DeleteAsync($"/admin/services/svc/instances/{InstanceA}/override");

        restored.StatusCode.ShouldBe(HttpStatusCode.NoContent);
        again.StatusCode.ShouldBe(HttpStatusCode.NotFound);
        (await _client.AnsweredByAsync("/svc/x", 4)).ShouldContain("a");
    }

    [Theory]
    [InlineData("""{ "out": true, "minutes": 5 }""", "reason")]
    [InlineData("""{ "out": true, "minutes": -1, "reason": "x" }""", "minutes")]
    [InlineData("""{ "out": true, "minutes": 20000, "reason": "x" }""", "minutes")]
    [InlineData("""{ "out": "yes", "reason": "x" }""", "out")]
    public async Task Override_InvalidBody_Is400NamingTheField_AndChangesNothing(string body, string field)
    {
        using var content = new StringContent(body, Encoding.UTF8, "application/json");
        using var response = await _client.PostAsync($"/admin/services/svc/instances/{InstanceA}/override", content);

        response.StatusCode.ShouldBe(HttpStatusCode.BadRequest);
        using var problem = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        problem.RootElement.GetProperty("field").GetString().ShouldBe(field);
        (await ServicesView.InstanceAsync(_client, "svc", _a.Port)).GetProperty("override").ValueKind.ShouldBe(JsonValueKind.Null);
    }

    [Fact]
    public async Task Override_UnknownInstance_Is404()
    {
        using var response = await _client.PostAsJsonAsync(
            "/admin/services/svc/instances/127.0.0.1:1/override", new { @out = true, minutes = 1, reason = "x" });

        response.StatusCode.ShouldBe(HttpStatusCode.NotFound);
    }

    private async Task<List<string>> EventKindsAsync()
    {
        using var events = await _client.GetFromJsonAsync<JsonDocument>("/events");
        return [.. events!.RootElement.GetProperty("events").EnumerateArray().Select(e => e.GetProperty("kind").GetString()!)];
    }

    private static string Fingerprint(string key) => Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(key))[..4]);
}
