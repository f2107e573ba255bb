using System.Net;
using System.Net.Http.Headers;
using Gateway.IntegrationTests.Support;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;

namespace Gateway.IntegrationTests.Edge;

/// <summary>
/// <c>Auth.Type: jwt</c> through the real gateway, with keys from a JWKS that a Kestrel backend serves and rotates.
/// The gateway's clock is a fake one set to now, so that the once-a-minute refresh can be crossed without waiting.
/// </summary>
public sealed class JwtAuthTests : IAsyncLifetime, IDisposable
{
    private static readonly string[] ScpArray = ["profile", "orders.read"];

    private readonly TestTokens _tokens = new();
    private readonly FakeTimeProvider _time = new(DateTimeOffset.UtcNow);
    private volatile string _jwks = "";
    private TestBackend _issuer = null!;
    private TestBackend _backend = null!;
    private GatewayFactory _gateway = null!;
    private HttpClient _client = null!;

    public async Task InitializeAsync()
    {
        _jwks = _tokens.Jwks;
        _issuer = await TestBackend.StartAsync("issuer");
        _issuer.ProbeHandler = context =>
        {
            context.Response.ContentType = "application/json";
            return context.Response.WriteAsync(_jwks);
        };
        _backend = await TestBackend.StartAsync();
        _gateway = new GatewayFactory()
            .WithService("orders", _backend)
            .With("Gateway:Services:orders:Auth:Type", "jwt")
            .With("Gateway:Services:orders:Auth:Issuer", TestTokens.Issuer)
            .With("Gateway:Services:orders:Auth:Audiences:0", TestTokens.Audience)
            .With("Gateway:Services:orders:Auth:JwksUrl", $"http://127.0.0.1:{_issuer.Port}/.well-known/jwks.json")
            .With("Gateway:Services:orders:Auth:Algorithms:0", "RS256")
            .With("Gateway:Services:orders:Auth:Algorithms:1", "ES256")
            .With("Gateway:Services:orders:Auth:ClockSkewSeconds", "30")
            .With("Gateway:Services:orders:Auth:RequiredScopes:0", "orders.read")
            .With("Gateway:Services:orders:Auth:ForwardClaims:sub", "X-User-Id")
            .WithServices(services => services.AddSingleton<TimeProvider>(_time));
        _client = _gateway.CreateRawClient();
    }

    public async Task DisposeAsync()
    {
        _client.Dispose();
        await _gateway.DisposeAsync();
        await _backend.DisposeAsync();
        await _issuer.DisposeAsync();
    }

    public void Dispose() => _tokens.Dispose();

    [Fact]
    public async Task ValidRs256Token_IsForwardedWithTheSubjectAndNotTheForgedOne()
    {
        using var request = Get(_tokens.Rs256());
        request.Headers.TryAddWithoutValidation("X-User-Id", "forged-admin");

        using var response = await _client.SendAsync(request);

        response.StatusCode.ShouldBe(HttpStatusCode.OK);
        var headers = _backend.Received.ShouldHaveSingleItem().Headers;
        headers["X-User-Id"].ShouldBe(["user-42"]);
        headers["Authorization"].ShouldHaveSingleItem().ShouldStartWith("Bearer ");
    }

    [Fact]
    public async Task ValidEs256Token_IsForwarded()
    {
        using var response = await _client.SendAsync(Get(_tokens.Es256()));

        response.StatusCode.ShouldBe(HttpStatusCode.OK);
        _backend.Received.ShouldHaveSingleItem();
    }

    [Fact]
    public async Task SameTokenTwice_IsAcceptedBothTimesWithOneKeyFetch()
    {
        var token = _tokens.Rs256();

        using var first = await _client.SendAsync(Get(token));
        using var second = await _client.SendAsync(Get(token));

        first.StatusCode.ShouldBe(HttpStatusCode.OK);
        second.StatusCode.ShouldBe(HttpStatusCode.OK);
        _issuer.Probes.Count.ShouldBe(1);
    }

    [Theory]
    [InlineData("expired")]
    [InlineData("not_yet_valid")]
    [InlineData("wrong_issuer")]
    [InlineData("wrong_audience")]
    [InlineData("alg_none")]
    [InlineData("hs256_with_rsa_public_key")]
    [InlineData("tampered_payload")]
    [InlineData("unknown_key")]
    [InlineData("not_a_token")]
    public async Task BadToken_Is401WithAnInvalidTokenChallenge_AndNoInstanceIsCalled(string kind)
    {
        using var response = await _client.SendAsync(Get(BadToken(kind)));

        response.StatusCode.ShouldBe(HttpStatusCode.Unauthorized);
        response.Content.Headers.ContentType!.MediaType.ShouldBe("application/problem+json");
        var challenge = response.Headers.WwwAuthenticate.ShouldHaveSingleItem();
        challenge.Scheme.ShouldBe("Bearer");
        challenge.Parameter.ShouldNotBeNull().ShouldContain("error=\"invalid_token\"");
        _backend.Received.ShouldBeEmpty();
    }

    [Fact]
    public async Task NoToken_Is401WithABareChallenge()
    {
        using var response = await _client.GetAsync("/orders/list");

        response.StatusCode.ShouldBe(HttpStatusCode.Unauthorized);
        response.Headers.WwwAuthenticate.ShouldHaveSingleItem().ToString().ShouldBe("Bearer realm=\"orders\"");
        _backend.Received.ShouldBeEmpty();
    }

    [Fact]
    public async Task TokenWithoutTheRequiredScope_Is403WithAnInsufficientScopeChallenge()
    {
        var token = _tokens.Rs256(descriptor => descriptor.Claims["scope"] = "profile orders.write");

        using var response = await _client.SendAsync(Get(token));

        response.StatusCode.ShouldBe(HttpStatusCode.Forbidden);
        response.Content.Headers.ContentType!.MediaType.ShouldBe("application/problem+json");
        response.Headers.WwwAuthenticate.ShouldHaveSingleItem().Parameter
            .ShouldBe("realm=\"orders\", error=\"insufficient_scope\", scope=\"orders.read\"");
        _backend.Received.ShouldBeEmpty();
    }

    [Fact]
    public async Task ScopeInAnScpArray_Counts()
    {
        var token = _tokens.Rs256(descriptor =>
        {
            descriptor.Claims.Remove("scope");
            descriptor.Claims["scp"] = ScpArray;
        });

        using var response = await _client.SendAsync(Get(token));

        response.StatusCode.ShouldBe(HttpStatusCode.OK);
    }

    [Fact]
    public async Task RotatedKeys_AreFetchedForAnUnknownKeyId_AtMostOncePerMinute()
    {
        using var before = await _client.SendAsync(Get(_tokens.Rs256()));
        using var rotated = new TestTokens("rsa-2", "ec-2");
        _jwks = rotated.Jwks;

        using var tooSoon = await _client.SendAsync(Get(rotated.Rs256()));
        using var again = await _client.SendAsync(Get(rotated.Es256()));
        var fetchesWithinTheMinute = _issuer.Probes.Count;
        _time.Advance(TimeSpan.FromSeconds(61));
        using var after = await _client.SendAsync(Get(rotated.Rs256()));
        using var oldKey = await _client.SendAsync(Get(_tokens.Rs256()));

        before.StatusCode.ShouldBe(HttpStatusCode.OK);
        tooSoon.StatusCode.ShouldBe(HttpStatusCode.Unauthorized);
        again.StatusCode.ShouldBe(HttpStatusCode.Unauthorized);
        fetchesWithinTheMinute.ShouldBe(1);
        after.StatusCode.ShouldBe(HttpStatusCode.OK);
        _issuer.Probes.Count.ShouldBe(2);
        oldKey.StatusCode.ShouldBe(HttpStatusCode.Unauthorized);
    }

    [Fact]
    public async Task Refusals_AreCountedPerServiceAndReason()
    {
        using var refused = await _client.GetAsync("/orders/list");

        var metrics = await _client.GetStringAsync("/metrics");

        refused.StatusCode.ShouldBe(HttpStatusCode.Unauthorized);
        metrics.ShouldContain("gateway_edge_rejections_total{");
        metrics.ShouldContain("reason=\"missing_credentials\"");
    }

    private string BadToken(string kind)
    {
        var now = DateTime.UtcNow;
        return kind switch
        {
            "expired" => _tokens.Rs256(d => (d.NotBefore, d.Expires, d.IssuedAt) = (now.AddHours(-2), now.AddHours(-1), now.AddHours(-2))),
            "not_yet_valid" => _tokens.Rs256(d => (d.NotBefore, d.Expires) = (now.AddHours(1), now.AddHours(2))),
            "wrong_issuer" => _tokens.Rs256(d => d.Issuer = "https://elsewhere.test"),
            "wrong_audience" => _tokens.Es256(d => d.Audience = "billing-api"),
            "alg_none" => TestTokens.AlgNone(),
            "hs256_with_rsa_public_key" => _tokens.Hs256WithRsaPublicKey(),
            "tampered_payload" => _tokens.Tampered(),
            "unknown_key" => Foreign(),
            _ => "not-a-token",
        };
    }

    private static string Foreign()
    {
        using var stranger = new TestTokens("rsa-9", "ec-9");
        return stranger.Rs256();
    }

    private static HttpRequestMessage Get(string token)
    {
        var request = new HttpRequestMessage(HttpMethod.Get, "/orders/list");
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
        return request;
    }
}
