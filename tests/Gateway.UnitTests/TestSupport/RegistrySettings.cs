using Gateway.Infrastructure.Configuration;
using Microsoft.Extensions.Configuration;

namespace Gateway.UnitTests.TestSupport;

/// <summary>A registry of one service, <c>orders</c>, with one instance and the given keys, read by the real loader.</summary>
internal static class RegistrySettings
{
    public static (string, string)[] Service(params (string Key, string Value)[] settings) =>
        [("Gateway:Services:orders:Instances:0:Host", "127.0.0.1"), ("Gateway:Services:orders:Instances:0:Port", "9001"),
            .. settings.Select(setting => ($"Gateway:Services:orders:{setting.Key}", setting.Value))];

    public static RegistryOptions Bind((string, string)[] settings)
    {
        var options = new RegistryOptions();
        RegistryConfigurationLoader.Bind(options, ConfigurationOf(settings));
        return options;
    }

    public static IConfiguration ConfigurationOf(params (string Key, string Value)[] settings) =>
        new ConfigurationBuilder()
            .AddInMemoryCollection(settings.Select(setting => new KeyValuePair<string, string?>(setting.Key, setting.Value)))
            .Build();
}
