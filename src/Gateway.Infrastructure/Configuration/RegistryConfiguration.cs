using Microsoft.Extensions.Options;

namespace Gateway.Infrastructure.Configuration;

/// <summary>The registry read again from the configuration, by the same binding and validators as at start-up, for a reload.</summary>
public static class RegistryConfiguration
{
    /// <returns>The services and their settings, or null with the one line that says why they cannot be used.</returns>
    public static RegistryOptions? TryLoad(IOptionsFactory<RegistryOptions> factory, out string? error)
    {
        ArgumentNullException.ThrowIfNull(factory);
        try
        {
            error = null;
            return factory.Create(Options.DefaultName);
        }
        catch (OptionsValidationException invalid)
        {
            error = string.Join("; ", invalid.Failures);
            return null;
        }
    }
}
