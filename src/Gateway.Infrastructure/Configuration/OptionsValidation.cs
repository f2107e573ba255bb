using Microsoft.Extensions.Options;

namespace Gateway.Infrastructure.Configuration;

/// <summary>
/// The rules an options type's bound values must meet beyond being readable (a host name's form, two settings that
/// must differ), reported as binding problems are: one line each, naming the setting and its value.
/// </summary>
public abstract class OptionsValidation<TOptions> : IValidateOptions<TOptions>
    where TOptions : class
{
    public ValidateOptionsResult Validate(string? name, TOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var failures = new SettingFailures();
        Check(options, failures);
        return failures.ToResult();
    }

    protected abstract void Check(TOptions options, SettingFailures failures);
}
