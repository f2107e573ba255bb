using Gateway.Api.Registry;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.Abstractions;
using Microsoft.AspNetCore.Mvc.Filters;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.Options;

namespace Gateway.UnitTests.Api.Registry;

public sealed class AdminKeyFilterTests
{
    private const string Key = "0123456789abcdef-admin";

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

    private static AdminKeyFilter Filter(string? key) => new(Options.Create(new AdminOptions { Key = key }));

    private static AuthorizationFilterContext Context(string? authorization)
    {
        var http = new DefaultHttpContext();
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
}
