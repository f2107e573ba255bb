using System.Globalization;
using System.Net;
using Gateway.Application.Edge;
using Gateway.IntegrationTests.Support;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;

namespace Gateway.IntegrationTests.Edge;

/// <summary>
/// <c>RateLimit</c> through the real gateway. Its clock is a fake one that never moves unless a test moves it, so
/// the buckets refill only when told to and every count below is exact however slow the machine.
/// </summary>
public sealed class RateLimitTests : IAsyncLifetime
{
    private readonly FakeTimeProvider _time = new(DateTimeOffset.UtcNow);
    private TestBackend _backend = null!;
    private GatewayFactory? _gateway;
    private HttpClient _client = null!;

    public async Task InitializeAsync() => _backend = await TestBackend.StartAsync();

    public async Task DisposeAsync()
    {
        _client?.Dispose();
        if (_gateway is not null)
        {
            await _gateway.DisposeAsync();
        }

        await _backend.DisposeAsync();
    }

    [Fact]
    public async Task OverTheBurst_Is429WithRetryAfterAndRateLimitHeaders_AndNoInstanceCall()
    {
        Start(("PermitsPerSecond", "0.5"), ("Burst", "3"));

        var responses = new List<HttpResponseMessage>();
        for (var i = 0; i < 4; i++)
        {
            responses.Add(await _client.GetAsync("/orders/x"));
        }

        responses.Take(3).ShouldAllBe(response => response.StatusCode == HttpStatusCode.OK);
        var refused = responses[3];
        refused.StatusCode.ShouldBe(HttpStatusCode.TooManyRequests);
        refused.Content.Headers.ContentType!.MediaType.ShouldBe("application/problem+json");
        refused.Headers.GetValues("Retry-After").ShouldBe(["2"]);
        refused.Headers.GetValues("RateLimit-Policy").ShouldBe(["\"default\";q=3;w=6"]);
        refused.Headers.GetValues("RateLimit").ShouldBe(["\"default\";r=0;t=6"]);
        responses[0].Headers.GetValues("RateLimit-Policy").ShouldBe(["\"default\";q=3;w=6"]);
        responses[0].Headers.GetValues("RateLimit").ShouldBe(["\"default\";r=2;t=2"]);
        _backend.Received.Count.ShouldBe(3);
        responses.ForEach(response => response.Dispose());
    }

    [Fact]
    public async Task AfterRetryAfter_APermitIsThere()
    {
        Start(("PermitsPerSecond", "1"), ("Burst", "1"));
        using var first = await _client.GetAsync("/orders/x");
        using var refused = await _client.GetAsync("/orders/x");

        _time.Advance(TimeSpan.FromSeconds(int.Parse(refused.Headers.GetValues("Retry-After").Single(), CultureInfo.InvariantCulture)));
        using var later = await _client.GetAsync("/orders/x");

        refused.StatusCode.ShouldBe(HttpStatusCode.TooManyRequests);
        later.StatusCode.ShouldBe(HttpStatusCode.OK);
    }

    [Fact]
    public async Task PartitionByHeader_GivesEachTenantItsOwnBucket()
    {
        Start(("PermitsPerSecond", "1"), ("Burst", "1"), ("PartitionBy", "header:X-Tenant-Id"));

        var a1 = await SendAsync(("X-Tenant-Id", "a"));
        var b1 = await SendAsync(("X-Tenant-Id", "b"));
        var a2 = await SendAsync(("X-Tenant-Id", "a"));

        a1.ShouldBe(HttpStatusCode.OK);
        b1.ShouldBe(HttpStatusCode.OK);
        a2.ShouldBe(HttpStatusCode.TooManyRequests);
    }

    [Fact]
    public async Task PartitionByClientIp_IgnoresForwardedForFromAnUntrustedClient()
    {
        Start(("PermitsPerSecond", "1"), ("Burst", "1"));

        var first = await SendAsync(("X-Forwarded-For", "198.51.100.1"));
        var second = await SendAsync(("X-Forwarded-For", "198.51.100.2"));

        first.ShouldBe(HttpStatusCode.OK);
        second.ShouldBe(HttpStatusCode.TooManyRequests);
    }

    [Fact]
    public async Task PartitionByClientIp_BelievesForwardedForFromATrustedProxy()
    {
        Start(gateway => gateway.With("GATEWAY_TRUSTED_PROXIES", "127.0.0.0/8"), ("PermitsPerSecond", "1"), ("Burst", "1"));

        var first = await SendAsync(("X-Forwarded-For", "198.51.100.1"));
        var second = await SendAsync(("X-Forwarded-For", "198.51.100.2"));
        var third = await SendAsync(("X-Forwarded-For", "198.51.100.1"));

        first.ShouldBe(HttpStatusCode.OK);
        second.ShouldBe(HttpStatusCode.OK);
        third.ShouldBe(HttpStatusCode.TooManyRequests);
    }

    [Fact]
    public async Task PartitionByApiKey_GivesEachKeyItsOwnBucket()
    {
        Start(
            gateway => gateway
            .With("Gateway:Services:orders:Auth:Type", "api_key")
            .With("Gateway:Services:orders:Auth:Keys:0:Name", "one")
            .With("Gateway:Services:orders:Auth:Keys:0:Sha256", Convert.ToHexString(System.Security.Cryptography.SHA256.HashData("key-one"u8)))
            .With("Gateway:Services:orders:Auth:Keys:1:Name", "two")
            .With("Gateway:Services:orders:Auth:Keys:1:Sha256", Convert.ToHexString(System.Security.Cryptography.SHA256.HashData("key-two"u8))),
            ("PermitsPerSecond", "1"),
            ("Burst", "1"),
            ("PartitionBy", "api_key"));

        var one = await SendAsync(("X-Api-Key", "key-one"));
        var two = await SendAsync(("X-Api-Key", "key-two"));
        var oneAgain = await SendAsync(("X-Api-Key", "key-one"));

        one.ShouldBe(HttpStatusCode.OK);
        two.ShouldBe(HttpStatusCode.OK);
        oneAgain.ShouldBe(HttpStatusCode.TooManyRequests);
    }

    [Fact]
    public async Task MaxConcurrent_RefusesWhileTheLimitIsInFlight_AndAdmitsOnceItEnds()
    {
        Start(("PermitsPerSecond", "1000"), ("Burst", "1000"), ("MaxConcurrent", "1"));
        var release = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var arrived = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        _backend.Handler = async context =>
        {
            arrived.TrySetResult();
            await release.Task;
            await TestBackend.DefaultHandler(context);
        };

        var slow = _client.GetAsync("/orders/slow");
        await arrived.Task;
        using var refused = await _client.GetAsync("/orders/x");
        release.SetResult();
        using var done = await slow;
        using var after = await _client.GetAsync("/orders/x");

        refused.StatusCode.ShouldBe(HttpStatusCode.TooManyRequests);
        refused.Headers.GetValues("Retry-After").ShouldBe(["1"]);
        done.StatusCode.ShouldBe(HttpStatusCode.OK);
        after.StatusCode.ShouldBe(HttpStatusCode.OK);
    }

    [Fact]
    public async Task AFloodOfDistinctPartitions_IsLimitedCountedAndEvictedOnceIdle()
    {
        Start(("PermitsPerSecond", "1"), ("Burst", "1"), ("PartitionBy", "header:X-Tenant-Id"));

        var statuses = new List<HttpStatusCode>();
        for (var i = 0; i < 200; i++)
        {
            statuses.Add(await SendAsync(("X-Tenant-Id", $"t{i % 100}")));
        }

        var metrics = await _client.GetStringAsync("/metrics");
        var policy = _gateway!.Services.GetRequiredService<EdgePolicies>().For("orders")!;
        var partitionsAfterFlood = policy.PartitionCount;
        _time.Advance(TimeSpan.FromSeconds(1));
        var newcomer = await SendAsync(("X-Tenant-Id", "newcomer"));

        statuses.Count(status => status == HttpStatusCode.OK).ShouldBe(100);
        metrics.ShouldContain("reason=\"rate_limited\"");
        partitionsAfterFlood.ShouldBe(100);
        newcomer.ShouldBe(HttpStatusCode.OK);
        policy.PartitionCount.ShouldBe(1, "the flood's buckets are full again after a second, so they are dropped");
    }

    private void Start(params (string Key, string Value)[] rateLimit) => Start(_ => { }, rateLimit);

    private void Start(Action<GatewayFactory> configure, params (string Key, string Value)[] rateLimit)
    {
        _gateway = new GatewayFactory()
            .WithService("orders", _backend)
            .WithServices(services => services.AddSingleton<TimeProvider>(_time));
        configure(_gateway);
        foreach (var (key, value) in rateLimit)
        {
            _gateway.With($"Gateway:Services:orders:RateLimit:{key}", value);
        }

        _client = _gateway.CreateRawClient();
    }

    private async Task<HttpStatusCode> SendAsync((string Name, string Value) header)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, "/orders/x");
        request.Headers.TryAddWithoutValidation(header.Name, header.Value);
        using var response = await _client.SendAsync(request);
        return response.StatusCode;
    }
}
