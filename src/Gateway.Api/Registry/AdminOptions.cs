using Gateway.Infrastructure.Configuration;

namespace Gateway.Api.Registry;

/// <summary>The admin API's key, <c>GATEWAY_ADMIN_KEY</c>; without one the admin API does not exist.</summary>
public sealed class AdminOptions
{
    public const string KeyName = "GATEWAY_ADMIN_KEY";

    /// <summary>Keys shorter than this are too easy to guess to guard a gateway's routing.</summary>
    public const int MinimumKeyLength = 16;

    public string? Key { get; set; }

    internal static void Bind(AdminOptions options, IConfiguration configuration) =>
        options.Key = new SettingsReader(configuration).Text(KeyName);
}
