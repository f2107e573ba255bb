using System.Security.Cryptography;
using System.Text;
using Gateway.Api.Forwarding;
using Microsoft.AspNetCore.Mvc.Filters;
using Microsoft.Extensions.Options;

namespace Gateway.Api.Registry;

/// <summary>
/// Guards the admin API: 404 when no key is configured (nothing is open by accident), 401 without the right
/// <c>Authorization: Bearer</c> key. Runs before the body is read, so a refused request changes nothing. Being the
/// first thing every admin call meets, it also writes the call's audit line.
/// </summary>
public sealed partial class AdminKeyFilter(IOptions<AdminOptions> options, ILogger<AdminKeyFilter> logger) : IAsyncAuthorizationFilter
{
    /// <summary>What the audit line shows for a call that carried no bearer key.</summary>
    public const string NoKey = "none";

    public Task OnAuthorizationAsync(AuthorizationFilterContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        var http = context.HttpContext;
        const string scheme = "Bearer ";
        var header = http.Request.Headers.Authorization.ToString();
        var givenHash = header.StartsWith(scheme, StringComparison.OrdinalIgnoreCase)
            ? SHA256.HashData(Encoding.UTF8.GetBytes(header[scheme.Length..].Trim()))
            : null;
        var fingerprint = givenHash is null ? NoKey : Fingerprint(givenHash);
        http.Items[typeof(AdminKeyFilter)] = fingerprint;
        Audit(http, fingerprint);

        if (options.Value.Key is not { } key)
        {
            context.Result = GatewayProblems.Create(StatusCodes.Status404NotFound, "Not found", "The admin API is disabled: GATEWAY_ADMIN_KEY is not set.");
            return Task.CompletedTask;
        }

        // Compared as hashes, in constant time: both sides have the same length, so neither the content nor the length
        // of the key leaks through how long a refusal takes.
        if (givenHash is null || !CryptographicOperations.FixedTimeEquals(givenHash, SHA256.HashData(Encoding.UTF8.GetBytes(key))))
        {
            http.Response.Headers.WWWAuthenticate = "Bearer";
            context.Result = GatewayProblems.Create(
                StatusCodes.Status401Unauthorized, "Unauthorized", "The admin API needs Authorization: Bearer with the gateway's admin key.");
        }

        return Task.CompletedTask;
    }

    /// <summary>
    /// The first 8 hex digits of the key's SHA-256: enough to tell an operator's keys apart in the log, far too little
    /// to help anyone guess one.
    /// </summary>
    public static string Fingerprint(ReadOnlySpan<byte> keyHash) => Convert.ToHexStringLower(keyHash[..4]);

    /// <summary>Who made an admin call that got past the filter, as its audit line names them.</summary>
    public static string CallerOf(HttpContext http) =>
        http?.Items[typeof(AdminKeyFilter)] as string ?? NoKey;

    /// <summary>Logs the call once its answer is complete, whichever filter, action or error handler gave the status.</summary>
    private void Audit(HttpContext http, string keyFingerprint) =>
        http.Response.OnCompleted(() =>
        {
            var clientAddress = http.Connection.RemoteIpAddress?.ToString() ?? "unknown";
            LogAdminCall(logger, http.Request.Method, http.Request.Path.Value ?? "/", http.Response.StatusCode, clientAddress, keyFingerprint);
            return Task.CompletedTask;
        });

    [LoggerMessage(Level = LogLevel.Information, Message = "Admin {Method} {Path} answered {StatusCode} to {ClientAddress}, key {KeyFingerprint}")]
    private static partial void LogAdminCall(ILogger logger, string method, string path, int statusCode, string clientAddress, string keyFingerprint);
}
