using System.Net;
using System.Security.Cryptography;
using System.Text;
using Gateway.IntegrationTests.Support;
using Microsoft.Extensions.DependencyInjection;
using Serilog.Core;

namespace Gateway.IntegrationTests.Edge;

/// <summary><c>Auth.Type: api_key</c> through the real gateway: keys known only by their SHA-256.</summary>
public sealed class ApiKeyAuthTests : IAsyncLifetime
{
    private const string MobileKey = "mobile-key-0123456789";
    private const string BatchKey = "batch-key-9876543210";

    private readonly CapturingSink _logs = new();
    private TestBackend _backend = null!;
    private GatewayFactory _gateway = null!;
    private HttpClient _client = null!;

    public async Task InitializeAsync()
    {
        _backend = await TestBackend.StartAsync();
        _gateway = new GatewayFactory()
            .WithService("orders", _backend)
            .With("LOG_LEVEL", "Debug")
            .With("Gateway:Services:orders:Auth:Type", "api_key")
            .With("Gateway:Services:orders:Auth:Keys:0:Name", "mobile")
            .With("Gateway:Services:orders:Auth:Keys:0:Sha256", Sha256(MobileKey))
            .With("Gateway:Services:orders:Auth:Keys:1:Name", "batch")
            .With("Gateway:Services:orders:Auth:Keys:1:Sha256", Sha256(BatchKey).ToUpperInvariant())
            .With("Gateway:Services:orders:Auth:ForwardAuthorization", "false")
            .WithServices(services => services.AddSingleton<ILogEventSink>(_logs));
        _client = _gateway.CreateRawClient();
    }

    public async Task DisposeAsync()
    {
        _client.Dispose();
        await _gateway.DisposeAsync();
        await _backend.DisposeAsync();
    }

    [Theory]
    [InlineData(MobileKey, "mobile")]
    [InlineData(BatchKey, "batch")]
    public async Task RightKey_IsForwardedWithItsNameAndWithoutTheKey(string key, string name)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, "/orders/list");
        request.Headers.Add("X-Api-Key", key);
        request.Headers.Add("X-Api-Key-Name", "forged");
        request.Headers.TryAddWithoutValidation("Authorization", "Basic c2VjcmV0");

        using var response = await _client.SendAsync(request);

        response.StatusCode.ShouldBe(HttpStatusCode.OK);
        var headers = _backend.Received.ShouldHaveSingleItem().Headers;
        headers["X-Api-Key-Name"].ShouldBe([name]);
        headers.Keys.ShouldNotContain("X-Api-Key");
        headers.Keys.ShouldNotContain("Authorization");
    }

    [Theory]
    [InlineData("wrong-key")]
    [InlineData(MobileKey + "x")]
    [InlineData(null)]
    public async Task WrongOrMissingKey_Is401ProblemAndNoInstanceIsCalled(string? key)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, "/orders/list");
        if (key is not null)
        {
            request.Headers.Add("X-Api-Key", key);
        }

        using var response = await _client.SendAsync(request);

        response.StatusCode.ShouldBe(HttpStatusCode.Unauthorized);
        response.Content.Headers.ContentType!.MediaType.ShouldBe("application/problem+json");
        response.Headers.WwwAuthenticate.ShouldHaveSingleItem().Scheme.ShouldBe("ApiKey");
        _backend.Received.ShouldBeEmpty();
    }

    [Fact]
    public async Task KeysAndHashes_NeverReachTheLogsOrMetrics_TheKeyNameDoes()
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, "/orders/list?x=1");
        request.Headers.Add("X-Api-Key", MobileKey);
        using var accepted = await _client.SendAsync(request);
        using var wrong = new HttpRequestMessage(HttpMethod.Get, "/orders/list");
        wrong.Headers.Add("X-Api-Key", BatchKey + "-guess");
        using var refused = await _client.SendAsync(wrong);

        var metrics = await _client.GetStringAsync("/metrics");
        var services = await _client.GetStringAsync("/services");

        accepted.StatusCode.ShouldBe(HttpStatusCode.OK);
        refused.StatusCode.ShouldBe(HttpStatusCode.Unauthorized);
        var text = string.Join('\n', _logs.Rendered()) + metrics + services;
        foreach (var secret in new[] { MobileKey, BatchKey, Sha256(MobileKey), Sha256(BatchKey) })
        {
            text.ShouldNotContain(secret, Case.Insensitive);
        }

        metrics.ShouldContain("api_key=\"mobile\"");
        _logs.Rendered().ShouldContain(line => line.Contains("ApiKeyName=\"mobile\"", StringComparison.Ordinal));
    }

    private static string Sha256(string key) => Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(key)));
}
