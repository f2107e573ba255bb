using System.Text;
using System.Text.Json;
using Gateway.Application.Edge;
using Microsoft.Extensions.Configuration;

namespace Gateway.Infrastructure.Configuration;

/// <summary>
/// Reads the admin API's <c>auth</c> and <c>rateLimit</c> objects through the registry's own reader, so both take and
/// refuse exactly the same settings.
/// </summary>
internal sealed class JsonEdgeSettingsReader : IEdgeSettingsReader
{
    private const string AuthField = "auth";
    private const string RateLimitField = "rateLimit";

    public EdgeSettingsRead Read(JsonElement? auth, JsonElement? rateLimit)
    {
        auth = Given(auth);
        rateLimit = Given(rateLimit);
        if (auth is null && rateLimit is null)
        {
            return default;
        }

        if (auth is { ValueKind: not JsonValueKind.Object } || rateLimit is { ValueKind: not JsonValueKind.Object })
        {
            return new(null, (auth is { ValueKind: not JsonValueKind.Object } ? AuthField : RateLimitField, "must be an object"));
        }

        IConfiguration configuration;
        try
        {
            // The registry file is read by the same JSON configuration provider: numbers, booleans and arrays come out
            // as they do from it.
            var json = $"{{\"{AuthField}\":{auth?.GetRawText() ?? "null"},\"{RateLimitField}\":{rateLimit?.GetRawText() ?? "null"}}}";
            using var stream = new MemoryStream(Encoding.UTF8.GetBytes(json));
            configuration = new ConfigurationBuilder().AddJsonStream(stream).Build();
        }
        catch (FormatException)
        {
            return new(null, (auth is null ? RateLimitField : AuthField, "names a setting twice (keys are case-insensitive)"));
        }

        var settings = new SettingsReader(configuration);
        var authSettings = auth is null ? null : EdgeSettingsReader.ReadAuth(configuration.GetSection(AuthField), AuthField, settings);
        var limit = rateLimit is null ? null : EdgeSettingsReader.ReadRateLimit(configuration.GetSection(RateLimitField), RateLimitField, settings);
        var combined = settings.Errors.Count == 0 ? EdgeSettingsReader.Combine(authSettings, limit, RateLimitField, settings) : null;
        return settings.Errors.Count == 0 ? new(combined, null) : new(null, Problem(settings.Errors[0]));
    }

    private static JsonElement? Given(JsonElement? element) => element is { ValueKind: JsonValueKind.Null or JsonValueKind.Undefined } ? null : element;

    /// <summary>A loader error (<c>auth.JwksUrl: 'x' is not ...</c>) as the admin API's field and message.</summary>
    private static (string Field, string Message) Problem(string error)
    {
        var colon = error.IndexOf(": ", StringComparison.Ordinal);
        var path = colon < 0 ? AuthField : error[..colon];
        var message = colon < 0 ? error : error[(colon + 2)..];
        // The registry's spelling (Keys[0].Sha256) in the admin API's (keys[0].sha256).
        var field = string.Join('.', path.Split('.').Select(segment => segment.Length == 0 ? segment : char.ToLowerInvariant(segment[0]) + segment[1..]));
        return (field, message);
    }
}
