using System.Security.Cryptography;
using System.Text;
using Gateway.Api.Forwarding;
using Microsoft.AspNetCore.Mvc.Filters;
using Microsoft.Extensions.Options;

namespace Gateway.Api.Registry;

/// <summary>
/// Guards the admin API: 404 when no key is configured (nothing is open by accident), 401 without the right
/// <c>Authorization: Bearer</c> key. Runs before the body is read, so a refused request changes nothing.
/// </summary>
public sealed class AdminKeyFilter(IOptions<AdminOptions> options) : IAsyncAuthorizationFilter
{
    public Task OnAuthorizationAsync(AuthorizationFilterContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        if (options.Value.Key is not { } key)
        {
            context.Result = GatewayProblems.Create(StatusCodes.Status404NotFound, "Not found", "The admin API is disabled: GATEWAY_ADMIN_KEY is not set.");
            return Task.CompletedTask;
        }

        var header = context.HttpContext.Request.Headers.Authorization.ToString();
        const string scheme = "Bearer ";
        var given = header.StartsWith(scheme, StringComparison.OrdinalIgnoreCase) ? header[scheme.Length..].Trim() : null;
        if (given is null || !KeysMatch(given, key))
        {
            context.HttpContext.Response.Headers.WWWAuthenticate = "Bearer";
            context.Result = GatewayProblems.Create(
                StatusCodes.Status401Unauthorized, "Unauthorized", "The admin API needs Authorization: Bearer with the gateway's admin key.");
        }

        return Task.CompletedTask;
    }

    /// <summary>
    /// Compares in constant time. Hashing first gives both sides the same length, so neither the content nor the
    /// length of the key leaks through how long a refusal takes.
    /// </summary>
    private static bool KeysMatch(string given, string expected) =>
        CryptographicOperations.FixedTimeEquals(
            SHA256.HashData(Encoding.UTF8.GetBytes(given)),
            SHA256.HashData(Encoding.UTF8.GetBytes(expected)));
}
