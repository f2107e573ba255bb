using Gateway.Infrastructure.Configuration;

namespace Gateway.Api.Registry;

/// <summary>The admin API's key, <c>GATEWAY_ADMIN_KEY</c>; without one the admin API does not exist.</summary>
public sealed class AdminOptions
{
    public const string KeyName = "GATEWAY_ADMIN_KEY";

    /// <summary>Keys shorter than this are too easy to guess to guard a gateway's routing.</summary>
    public const int MinimumKeyLength = 16;

    public string? Key { get; set; }

    internal static void Bind(AdminOptions options, IConfiguration configuration)
    {
        var settings = new SettingsReader(configuration);
        options.Key = settings.Text(KeyName);
        if (options.Key is { Length: < MinimumKeyLength })
        {
            // The value is a secret: the error names the key and its length, never the value itself.
            settings.Fail($"{KeyName}: a key of {options.Key.Length} characters is too short (at least {MinimumKeyLength})");
        }

        settings.RecordOn(options);
    }
}
