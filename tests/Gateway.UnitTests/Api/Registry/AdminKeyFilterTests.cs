using System.Security.Cryptography;
using System.Text;
using Gateway.Api.Registry;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.Abstractions;
using Microsoft.AspNetCore.Mvc.Filters;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Testing;
using Microsoft.Extensions.Options;

namespace Gateway.UnitTests.Api.Registry;

public sealed class AdminKeyFilterTests
{
    private const string Key = "0123456789abcdef-admin";

    private readonly FakeLogger<AdminKeyFilter> _logger = new();

    [Theory]
    [InlineData(null)]
    [InlineData("Bearer " + Key)]
    public async Task OnAuthorizationAsync_NoKeyConfigured_AnswersNotFoundWhateverTheRequestCarries(string? authorization)
    {
        var filter = Filter(key: null);
        var context = Context(authorization);

        await filter.OnAuthorizationAsync(context);

        var problem = Problem(context, StatusCodes.Status404NotFound);
        problem.Detail.ShouldNotBeNull().ShouldContain("GATEWAY_ADMIN_KEY");
        context.HttpContext.Response.Headers.WWWAuthenticate.ShouldBeEmpty();
    }

    [Theory]
    [InlineData(null)]
    [InlineData("")]
    [InlineData("Bearer")]
    [InlineData("Bearer ")]
    [InlineData("Bearer wrong-key-of-some-length")]
    [InlineData("Bearer 0123456789abcdef-admiN")]
    [InlineData("Bearer 0123456789abcdef-admin-and-more")]
    [InlineData("Bearer 0123456789abcdef")]
    [InlineData("Basic " + Key)]
    [InlineData(Key)]
    public async Task OnAuthorizationAsync_MissingOrWrongKeyOrScheme_AnswersUnauthorizedWithABearerChallenge(string? authorization)
    {
        var filter = Filter(Key);
        var context = Context(authorization);

        await filter.OnAuthorizationAsync(context);

        Problem(context, StatusCodes.Status401Unauthorized);
        context.HttpContext.Response.Headers.WWWAuthenticate.ToString().ShouldBe("Bearer");
    }

    [Theory]
    [InlineData("Bearer " + Key)]
    [InlineData("bearer " + Key)]
    [InlineData("BEARER  " + Key + " ")]
    public async Task OnAuthorizationAsync_RightKey_LetsTheRequestThrough(string authorization)
    {
        var filter = Filter(Key);
        var context = Context(authorization);

        await filter.OnAuthorizationAsync(context);

        context.Result.ShouldBeNull();
        context.HttpContext.Response.Headers.WWWAuthenticate.ShouldBeEmpty();
    }

    [Theory]
    [InlineData("Bearer " + Key, StatusCodes.Status200OK)]
    [InlineData("Bearer wrong-key-of-some-length", StatusCodes.Status401Unauthorized)]
    public async Task OnAuthorizationAsync_AnyCall_LogsOneAuditLineWithTheKeysFingerprintNeverTheKey(string authorization, int status)
    {
        var filter = Filter(Key);
        var response = new CompletingResponseFeature();
        var context = Context(authorization, response);
        context.HttpContext.Request.Method = "PUT";
        context.HttpContext.Request.Path = "/admin/services/billing/instances/c:8080/heartbeat";
        context.HttpContext.Connection.RemoteIpAddress = System.Net.IPAddress.Parse("10.1.2.3");

        await filter.OnAuthorizationAsync(context);
        context.HttpContext.Response.StatusCode = context.Result is ObjectResult { StatusCode: { } refused } ? refused : status;
        await response.CompleteAsync();

        var line = _logger.Collector.GetSnapshot().ShouldHaveSingleItem();
        var given = authorization["Bearer ".Length..];
        var fingerprint = Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(given)))[..8];
        line.Level.ShouldBe(LogLevel.Information);
        line.Message.ShouldBe($"Admin PUT /admin/services/billing/instances/c:8080/heartbeat answered {status} to 10.1.2.3, key {fingerprint}");
        line.Message.ShouldNotContain(given);
    }

    [Fact]
    public async Task OnAuthorizationAsync_NoBearerKey_LogsNoneForTheKey()
    {
        var response = new CompletingResponseFeature();
        var context = Context("Basic " + Key, response);

        await Filter(Key).OnAuthorizationAsync(context);
        await response.CompleteAsync();

        _logger.LatestRecord.Message.ShouldEndWith($"key {AdminKeyFilter.NoKey}");
    }

    private AdminKeyFilter Filter(string? key) => new(Options.Create(new AdminOptions { Key = key }), _logger);

    private static AuthorizationFilterContext Context(string? authorization, IHttpResponseFeature? response = null)
    {
        var http = new DefaultHttpContext();
        if (response is not null)
        {
            http.Features.Set(response);
        }

        if (authorization is not null)
        {
            http.Request.Headers.Authorization = authorization;
        }

        return new AuthorizationFilterContext(new ActionContext(http, new RouteData(), new ActionDescriptor()), []);
    }

    /// <summary>The problem the filter answered with, checked to be RFC 9457 with the given status.</summary>
    private static ProblemDetails Problem(AuthorizationFilterContext context, int status)
    {
        var result = context.Result.ShouldBeOfType<ObjectResult>();
        result.StatusCode.ShouldBe(status);
        result.ContentTypes.ShouldContain("application/problem+json");
        var problem = result.Value.ShouldBeOfType<ProblemDetails>();
        problem.Status.ShouldBe(status);
        problem.Title.ShouldNotBeNullOrWhiteSpace();
        return problem;
    }

    /// <summary>A response whose completion the test triggers, as Kestrel does once the answer has been sent.</summary>
    private sealed class CompletingResponseFeature : HttpResponseFeature
    {
        private readonly List<(Func<object, Task> Callback, object State)> _onCompleted = [];

        public override void OnCompleted(Func<object, Task> callback, object state) => _onCompleted.Add((callback, state));

        public async Task CompleteAsync()
        {
            foreach (var (callback, state) in _onCompleted)
            {
                await callback(state);
            }
        }
    }
}
