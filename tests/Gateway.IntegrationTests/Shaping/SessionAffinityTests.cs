using System.Net;
using System.Net.Http.Headers;
using Gateway.IntegrationTests.Support;
using Microsoft.AspNetCore.Http;

namespace Gateway.IntegrationTests.Shaping;

/// <summary><c>Affinity</c> through the real gateway: round robin would spread these requests, affinity keeps them on one instance.</summary>
public sealed class SessionAffinityTests : IAsyncLifetime
{
    private const string AdminKey = "affinity-admin-key-0123456789";

    private readonly TestBackend[] _backends = new TestBackend[3];

    public async Task InitializeAsync()
    {
        for (var i = 0; i < _backends.Length; i++)
        {
            _backends[i] = await TestBackend.StartAsync(((char)('a' + i)).ToString());
        }
    }

    public async Task DisposeAsync()
    {
        foreach (var backend in _backends)
        {
            await backend.DisposeAsync();
        }
    }

    [Fact]
    public async Task Cookie_SticksToTheInstanceThatServedTheFirstRequest()
    {
        await using var gateway = Gateway(("Affinity:Cookie", "GW-Affinity"));
        using var client = gateway.CreateRawClient();

        using var first = await client.GetAsync("/orders/cart");
        var setCookie = first.Headers.GetValues("Set-Cookie").ShouldHaveSingleItem();
        var cookie = setCookie[..setCookie.IndexOf(';', StringComparison.Ordinal)];
        var answeredBy = new List<string>();
        for (var i = 0; i < 30; i++)
        {
            using var response = await SendAsync(client, "Cookie", $"theme=dark; {cookie}");
            response.StatusCode.ShouldBe(HttpStatusCode.OK);
            response.Headers.Contains("Set-Cookie").ShouldBeFalse("a client already tied to the instance that answered is not told again");
            answeredBy.Add(BackendOf(response));
        }

        setCookie.ShouldMatch("^GW-Affinity=[A-Za-z0-9_-]{22}; Path=/orders; HttpOnly; SameSite=Lax$");
        answeredBy.ShouldAllBe(backend => backend == BackendOf(first));
        foreach (var backend in _backends)
        {
            setCookie.ShouldNotContain(backend.Port.ToString(System.Globalization.CultureInfo.InvariantCulture));
        }

        setCookie.ShouldNotContain("127.0.0.1");
    }

    [Fact]
    public async Task Cookie_ToAClientOverHttps_IsSecure()
    {
        using var certificate = TestCertificate.Create();
        await using var gateway = Gateway(("Affinity:Cookie", "GW-Affinity"))
            .With("GATEWAY_TLS_CERT", certificate.CertificatePath)
            .With("GATEWAY_TLS_KEY", certificate.KeyPath);
        using var client = new HttpClient(certificate.CreateHandler()) { BaseAddress = gateway.BaseAddress };

        using var response = await client.GetAsync("/orders/cart");

        gateway.BaseAddress.Scheme.ShouldBe("https");
        response.Headers.GetValues("Set-Cookie").ShouldHaveSingleItem()
            .ShouldMatch("^GW-Affinity=[A-Za-z0-9_-]{22}; Path=/orders; HttpOnly; SameSite=Lax; Secure$");
    }

    [Fact]
    public async Task Header_SticksWhenTheClientEchoesIt()
    {
        await using var gateway = Gateway(("Affinity:Header", "X-Affinity"));
        using var client = gateway.CreateRawClient();
        using var first = await client.GetAsync("/orders/cart");
        var value = first.Headers.GetValues("X-Affinity").ShouldHaveSingleItem();

        var answeredBy = new List<string>();
        for (var i = 0; i < 30; i++)
        {
            using var response = await SendAsync(client, "X-Affinity", value);
            answeredBy.Add(BackendOf(response));
        }

        answeredBy.ShouldAllBe(backend => backend == BackendOf(first));
        value.ShouldNotContain("127.0.0.1");
    }

    [Fact]
    public async Task WithoutAValue_RoundRobinSpreadsAndEachResponseTiesItsClient()
    {
        await using var gateway = Gateway(("Affinity:Cookie", "GW-Affinity"));
        using var client = gateway.CreateRawClient();

        var cookies = new Dictionary<string, string>();
        for (var i = 0; i < 6; i++)
        {
            using var response = await client.GetAsync("/orders/cart");
            cookies[BackendOf(response)] = response.Headers.GetValues("Set-Cookie").Single();
        }

        cookies.Keys.Order().ShouldBe(["a", "b", "c"]);
        cookies.Values.Distinct().Count().ShouldBe(3);
    }

    [Theory]
    [InlineData("GW-Affinity=AAAAAAAAAAAAAAAAAAAAAA")]
    [InlineData("GW-Affinity=127.0.0.1")]
    public async Task ForgedCookie_IsNoAffinity_AndIsReplaced(string forged)
    {
        await using var gateway = Gateway(("Affinity:Cookie", "GW-Affinity"));
        using var client = gateway.CreateRawClient();

        using var response = await SendAsync(client, "Cookie", forged);

        response.StatusCode.ShouldBe(HttpStatusCode.OK);
        response.Headers.GetValues("Set-Cookie").ShouldHaveSingleItem().ShouldStartWith("GW-Affinity=");
        response.Headers.GetValues("Set-Cookie").Single().ShouldNotStartWith(forged + ";");
    }

    [Fact]
    public async Task InstanceTakenOut_ClientMovesToAnother_AndItsCookieIsRewritten()
    {
        await using var gateway = Gateway(("Affinity:Cookie", "GW-Affinity")).With("GATEWAY_ADMIN_KEY", AdminKey);
        using var client = gateway.CreateRawClient();
        using var first = await client.GetAsync("/orders/cart");
        var tiedTo = Backend(BackendOf(first));
        var cookie = CookieOf(first);

        using (var takeOut = new HttpRequestMessage(HttpMethod.Post, $"/admin/services/orders/instances/127.0.0.1:{tiedTo.Port}/override"))
        {
            takeOut.Headers.Authorization = new AuthenticationHeaderValue("Bearer", AdminKey);
            takeOut.Content = new StringContent("""{"out": true, "minutes": 0, "reason": "test"}""", System.Text.Encoding.UTF8, "application/json");
            (await client.SendAsync(takeOut)).StatusCode.ShouldBe(HttpStatusCode.OK);
        }

        using var moved = await SendAsync(client, "Cookie", cookie);
        var newCookie = CookieOf(moved);
        var answeredBy = new List<string>();
        for (var i = 0; i < 10; i++)
        {
            using var response = await SendAsync(client, "Cookie", newCookie);
            answeredBy.Add(BackendOf(response));
        }

        BackendOf(moved).ShouldNotBe(tiedTo.Name);
        newCookie.ShouldNotBe(cookie);
        answeredBy.ShouldAllBe(backend => backend == BackendOf(moved));
    }

    [Fact]
    public async Task InstanceFailing_IsTakenOut_AndItsClientsMoveToAnotherWithANewCookie()
    {
        await using var gateway = Gateway(("Affinity:Cookie", "GW-Affinity"));
        using var client = gateway.CreateRawClient();
        using var first = await client.GetAsync("/orders/cart");
        var tiedTo = Backend(BackendOf(first));
        tiedTo.Handler = context =>
        {
            context.Response.StatusCode = StatusCodes.Status503ServiceUnavailable;
            return Task.CompletedTask;
        };

        // Its own 503s reach the client until passive health or its circuit takes it out; then the strategy picks.
        HttpResponseMessage? moved = null;
        await Eventually.TrueAsync(
            async () =>
            {
                moved?.Dispose();
                moved = await SendAsync(client, "Cookie", CookieOf(first));
                return BackendOf(moved) != tiedTo.Name;
            },
            TimeSpan.FromSeconds(30),
            "the failing instance to be ejected");
        using var after = moved!;
        using var next = await SendAsync(client, "Cookie", CookieOf(after));

        after.StatusCode.ShouldBe(HttpStatusCode.OK);
        CookieOf(after).ShouldNotBe(CookieOf(first));
        var ejected = await ServicesView.InstanceAsync(client, "orders", tiedTo.Port);
        ejected.GetProperty("available").GetBoolean().ShouldBeFalse();
        ejected.GetProperty("ejectedBy").GetString().ShouldBeOneOf("passive", "circuit");
        BackendOf(next).ShouldBe(BackendOf(after));
    }

    [Fact]
    public async Task InstanceStopped_RequestIsRetriedOnAnother_AndTheCookieNamesTheInstanceThatAnswered()
    {
        await using var gateway = Gateway(("Affinity:Cookie", "GW-Affinity"))
            // Keeps the stopped instance in rotation, so that the request tied to it is sent there and retried.
            .With("Gateway:HealthChecks:UnhealthyThreshold", "1000");
        using var client = gateway.CreateRawClient();
        using var first = await client.GetAsync("/orders/cart");
        var tiedTo = Backend(BackendOf(first));
        var received = tiedTo.Received.Count;
        await tiedTo.KillAsync();

        using var retried = await SendAsync(client, "Cookie", CookieOf(first));
        var newCookie = CookieOf(retried);
        using var next = await SendAsync(client, "Cookie", newCookie);
        var metrics = await client.GetStringAsync("/metrics");

        retried.StatusCode.ShouldBe(HttpStatusCode.OK);
        BackendOf(retried).ShouldNotBe(tiedTo.Name);
        tiedTo.Received.Count.ShouldBe(received);
        metrics.ShouldContain("gateway_retries_total{service=\"orders\"} 1");
        newCookie.ShouldNotBe(CookieOf(first));
        BackendOf(next).ShouldBe(BackendOf(retried));
        next.Headers.Contains("Set-Cookie").ShouldBeFalse();
    }

    [Fact]
    public async Task ServiceWithoutAffinity_SetsNoCookieAndKeepsRotating()
    {
        await using var gateway = Gateway();
        using var client = gateway.CreateRawClient();

        var answeredBy = new List<string>();
        for (var i = 0; i < 3; i++)
        {
            using var response = await client.GetAsync("/orders/cart");
            response.Headers.Contains("Set-Cookie").ShouldBeFalse();
            answeredBy.Add(BackendOf(response));
        }

        answeredBy.Order().ShouldBe(["a", "b", "c"]);
    }

    private GatewayFactory Gateway(params (string Key, string Value)[] settings)
    {
        var gateway = new GatewayFactory().WithService("orders", _backends);
        foreach (var (key, value) in settings)
        {
            gateway.With($"Gateway:Services:orders:{key}", value);
        }

        return gateway;
    }

    private static async Task<HttpResponseMessage> SendAsync(HttpClient client, string header, string value)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, "/orders/cart");
        request.Headers.TryAddWithoutValidation(header, value);
        return await client.SendAsync(request);
    }

    private static string CookieOf(HttpResponseMessage response)
    {
        var setCookie = response.Headers.GetValues("Set-Cookie").ShouldHaveSingleItem();
        return setCookie[..setCookie.IndexOf(';', StringComparison.Ordinal)];
    }

    private static string BackendOf(HttpResponseMessage response) => response.Headers.GetValues("X-Backend").Single();

    private TestBackend Backend(string name) => _backends.Single(backend => backend.Name == name);
}
