using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Options;

namespace Gateway.Infrastructure.Configuration;

/// <summary>The registry read again from the configuration, by the same rules as at start-up, for a reload.</summary>
public static class RegistryConfiguration
{
    /// <returns>The services and their settings, or null with the one line that says why they cannot be used.</returns>
    public static RegistryOptions? TryLoad(
        IConfiguration configuration, IEnumerable<IValidateOptions<RegistryOptions>> validators, out string? error)
    {
        ArgumentNullException.ThrowIfNull(validators);
        var options = new RegistryOptions();
        try
        {
            RegistryConfigurationLoader.Bind(options, configuration);
        }
        catch (OptionsValidationException invalid)
        {
            error = string.Join("; ", invalid.Failures);
            return null;
        }

        var failures = validators
            .Select(validator => validator.Validate(Options.DefaultName, options))
            .Where(result => result.Failed)
            .SelectMany(result => result.Failures ?? [])
            .ToList();
        error = failures.Count > 0 ? string.Join("; ", failures) : null;
        return failures.Count > 0 ? null : options;
    }
}
