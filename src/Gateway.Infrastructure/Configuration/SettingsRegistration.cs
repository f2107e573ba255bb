using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;

namespace Gateway.Infrastructure.Configuration;

public static class SettingsRegistration
{
    /// <summary>
    /// Registers <typeparamref name="TOptions"/>, bound by <paramref name="bind"/> from the host's configuration (the one
    /// the host ends up with, so that anything layered on after registration, such as a test's settings, is seen), and
    /// validated before anything listens: what binding could not read first, then <typeparamref name="TRules"/>.
    /// </summary>
    public static OptionsBuilder<TOptions> AddSettings<TOptions, TRules>(this IServiceCollection services, Action<TOptions, IConfiguration> bind)
        where TOptions : class
        where TRules : OptionsValidation<TOptions>
    {
        var options = services.AddSettings(bind);
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<TOptions>, TRules>());
        return options;
    }

    /// <summary>
    /// Registers <typeparamref name="TOptions"/> as the overload with rules does, for options whose only rule is that
    /// every value can be read.
    /// </summary>
    public static OptionsBuilder<TOptions> AddSettings<TOptions>(this IServiceCollection services, Action<TOptions, IConfiguration> bind)
        where TOptions : class
    {
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<TOptions>, BindingValidation<TOptions>>());
        return services.AddOptions<TOptions>().Configure(bind).ValidateOnStart();
    }
}
