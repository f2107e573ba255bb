using Gateway.Infrastructure.Configuration;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace Gateway.UnitTests.TestSupport;

/// <summary>Settings read by the real binders: a registry of one service, <c>orders</c>, with one instance and the given keys.</summary>
internal static class RegistrySettings
{
    public static (string, string)[] Service(params (string Key, string Value)[] settings) =>
        [("Gateway:Services:orders:Instances:0:Host", "127.0.0.1"), ("Gateway:Services:orders:Instances:0:Port", "9001"),
            .. settings.Select(setting => ($"Gateway:Services:orders:{setting.Key}", setting.Value))];

    public static RegistryOptions Bind((string, string)[] settings) =>
        Load<RegistryOptions>(RegistryConfigurationLoader.Bind, ConfigurationOf(settings));

    /// <summary>
    /// Options bound and validated as the host registers them; an <see cref="OptionsValidationException"/> names every
    /// value that could not be read.
    /// </summary>
    public static TOptions Load<TOptions>(Action<TOptions, IConfiguration> bind, IConfiguration configuration)
        where TOptions : class
    {
        var services = new ServiceCollection().AddSingleton(configuration);
        services.AddSettings(bind);
        using var provider = services.BuildServiceProvider();
        return provider.GetRequiredService<IOptionsFactory<TOptions>>().Create(Options.DefaultName);
    }

    public static IConfiguration ConfigurationOf(params (string Key, string Value)[] settings) =>
        new ConfigurationBuilder()
            .AddInMemoryCollection(settings.Select(setting => new KeyValuePair<string, string?>(setting.Key, setting.Value)))
            .Build();
}
