using Gateway.Application.Edge;
using Gateway.Application.Forwarding;
using Microsoft.Extensions.Primitives;
using Microsoft.Extensions.Time.Testing;
using NSubstitute;

namespace Gateway.UnitTests.Application.Edge;

public sealed class EdgePolicyTests
{
    private readonly FakeTimeProvider _time = new();
    private readonly ScriptedValidator _validator = new();
    private readonly IJwtValidatorFactory _validators = Substitute.For<IJwtValidatorFactory>();

    public EdgePolicyTests() => _validators.Create(default!, default!, default!).ReturnsForAnyArgs(_validator);

    [Fact]
    public async Task AdmitAsync_ValidToken_ForwardsClaimsInPlaceOfForgedHeaders()
    {
        Token(new JwtValidation(true, null, ["orders.read"], ["user-42", "acme"]));
        using var policy = Jwt(forwardAuthorization: false);

        using var admission = await policy.AdmitAsync(
            Command(("Authorization", "Bearer t"), ("X-User-Id", "forged"), ("x-tenant", "forged"), ("X-Api-Key-Name", "forged"), ("Accept", "*/*")),
            CancellationToken.None);

        admission.Verdict.ShouldBe(EdgeVerdict.Admitted);
        admission.Request!.Headers.Select(h => $"{h.Key}={h.Value}").ShouldBe(["Accept=*/*", "X-User-Id=user-42", "X-Tenant=acme"]);
    }

    [Fact]
    public async Task AdmitAsync_AbsentClaim_IsNotForwardedAndTheForgedOneStillGoes()
    {
        Token(new JwtValidation(true, null, ["orders.read"], ["user-42", null]));
        using var policy = Jwt();

        using var admission = await policy.AdmitAsync(Command(("Authorization", "Bearer t"), ("X-Tenant", "forged")), CancellationToken.None);

        admission.Request!.Headers.Select(h => h.Key).ShouldBe(["Authorization", "X-User-Id"]);
    }

    [Theory]
    [InlineData("Basic dXNlcjpwYXNz")]
    [InlineData("Bearer")]
    [InlineData("")]
    public async Task AdmitAsync_NoBearerToken_IsUnauthenticatedWithoutAskingTheValidator(string authorization)
    {
        using var policy = Jwt();

        using var admission = await policy.AdmitAsync(Command(("Authorization", authorization)), CancellationToken.None);

        admission.Verdict.ShouldBe(EdgeVerdict.Unauthenticated);
        admission.Challenge.ShouldBe("Bearer realm=\"orders\"");
        _validator.Calls.ShouldBe(0);
    }

    [Fact]
    public async Task AdmitAsync_InvalidToken_ChallengesWithTheReasonQuoted()
    {
        Token(JwtValidation.Invalid("The token's \"exp\" passed."));
        using var policy = Jwt();

        using var admission = await policy.AdmitAsync(Command(("Authorization", "Bearer t")), CancellationToken.None);

        admission.Verdict.ShouldBe(EdgeVerdict.Unauthenticated);
        admission.Reason.ShouldBe("invalid_credentials");
        admission.Challenge.ShouldBe("Bearer realm=\"orders\", error=\"invalid_token\", error_description=\"The token's 'exp' passed.\"");
    }

    [Fact]
    public async Task AdmitAsync_MissingScope_IsForbidden()
    {
        Token(new JwtValidation(true, null, ["orders.write profile"], ["user-42", null]));
        using var policy = Jwt();

        using var admission = await policy.AdmitAsync(Command(("Authorization", "Bearer t")), CancellationToken.None);

        admission.Verdict.ShouldBe(EdgeVerdict.Forbidden);
        admission.Challenge.ShouldBe("Bearer realm=\"orders\", error=\"insufficient_scope\", scope=\"orders.read\"");
    }

    [Fact]
    public async Task AdmitAsync_PartitionByClaim_LimitsEachSubjectApart()
    {
        using var policy = Jwt(new RateLimitSettings(1, 1, new PartitionKey(PartitionKind.Claim, "sub"), 0));

        var alice = await AdmitAsTokenAsync(policy, "alice");
        var bob = await AdmitAsTokenAsync(policy, "bob");
        var aliceAgain = await AdmitAsTokenAsync(policy, "alice");

        alice.ShouldBe(EdgeVerdict.Admitted);
        bob.ShouldBe(EdgeVerdict.Admitted);
        aliceAgain.ShouldBe(EdgeVerdict.RateLimited);
    }

    [Fact]
    public async Task AdmitAsync_MaxConcurrent_HoldsAPermitUntilTheAdmissionIsDisposed()
    {
        using var policy = new EdgePolicy("orders", new EdgeSettings(null, null, true, new RateLimitSettings(100, 100, PartitionKey.ClientIp, 1)), null, TrustedProxies.None, _time);

        var first = await policy.AdmitAsync(Command(), CancellationToken.None);
        using var second = await policy.AdmitAsync(Command(), CancellationToken.None);
        first.Dispose();
        using var third = await policy.AdmitAsync(Command(), CancellationToken.None);

        first.Verdict.ShouldBe(EdgeVerdict.Admitted);
        second.Verdict.ShouldBe(EdgeVerdict.RateLimited);
        second.Reason.ShouldBe("concurrency_limited");
        second.RetryAfterSeconds.ShouldBe(1);
        third.Verdict.ShouldBe(EdgeVerdict.Admitted);
    }

    [Fact]
    public async Task AdmitAsync_RateLimitOnly_LeavesTheHeadersAlone()
    {
        using var policy = new EdgePolicy("orders", new EdgeSettings(null, null, true, new RateLimitSettings(1, 1, PartitionKey.ClientIp, 0)), null, TrustedProxies.None, _time);
        var command = Command(("X-Api-Key-Name", "anything"));

        using var admission = await policy.AdmitAsync(command, CancellationToken.None);

        admission.Request.ShouldBeSameAs(command);
        admission.RateLimitPolicy.ShouldBe("\"default\";q=1;w=1");
        admission.RateLimit.ShouldBe("\"default\";r=0;t=1");
    }

    private async Task<EdgeVerdict> AdmitAsTokenAsync(EdgePolicy policy, string subject)
    {
        Token(new JwtValidation(true, null, ["orders.read"], [subject, null, subject]));
        using var admission = await policy.AdmitAsync(Command(("Authorization", "Bearer t")), CancellationToken.None);
        return admission.Verdict;
    }

    private void Token(JwtValidation validation) => _validator.Answer = validation;

    private EdgePolicy Jwt(RateLimitSettings? rateLimit = null, bool forwardAuthorization = true) =>
        new(
            "orders",
            new EdgeSettings(
                null,
                new JwtSettings(
                    "https://issuer.test",
                    ["orders-api"],
                    "http://127.0.0.1:1/jwks",
                    null,
                    ["RS256"],
                    TimeSpan.FromSeconds(30),
                    ["orders.read"],
                    [new("sub", "X-User-Id"), new("tenant", "X-Tenant")]),
                forwardAuthorization,
                rateLimit),
            _validators,
            TrustedProxies.None,
            _time);

    private sealed class ScriptedValidator : IJwtValidator
    {
        public JwtValidation Answer { get; set; } = JwtValidation.Invalid("unscripted");

        public int Calls { get; private set; }

        public ValueTask<JwtValidation> ValidateAsync(string token, CancellationToken cancellationToken)
        {
            Calls++;
            return ValueTask.FromResult(Answer);
        }
    }

    private static ForwardRequestCommand Command(params (string Name, string Value)[] headers) =>
        new(
            "orders",
            "GET",
            "/items",
            headers.Select(h => new KeyValuePair<string, StringValues>(h.Name, h.Value)).ToList(),
            Body: null,
            ContentLength: null,
            Client: new ClientInfo("203.0.113.7", "http", "gateway.test"));
}
