using System.Globalization;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Options;

namespace Gateway.Infrastructure.Configuration;

/// <summary>
/// Reads settings by the names operators write (<c>REQUEST_TIMEOUT</c>), collecting every bad value as one line that
/// names the key and the value, so that start-up can refuse them all at once.
/// </summary>
public sealed class SettingsReader(IConfiguration configuration)
{
    private readonly List<string> _errors = [];

    public IReadOnlyList<string> Errors => _errors;

    /// <summary>A duration in seconds, greater than 0 and at most <paramref name="maxSeconds"/>; fractions allowed.</summary>
    public TimeSpan Seconds(string key, double defaultSeconds, double maxSeconds = 86_400) =>
        TimeSpan.FromSeconds(Number(key, defaultSeconds, 0, maxSeconds, exclusiveMinimum: true, "a number of seconds"));

    public long WholeNumber(string key, long defaultValue, long min, long max)
    {
        var raw = configuration[key];
        if (string.IsNullOrWhiteSpace(raw))
        {
            return defaultValue;
        }

        if (!long.TryParse(raw.Trim(), NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var value))
        {
            Fail(key, raw, "is not a whole number");
            return defaultValue;
        }

        if (value < min || value > max)
        {
            Fail(key, raw, max == long.MaxValue ? $"is out of range: must be at least {min}" : $"is out of range ({min} to {max})");
            return defaultValue;
        }

        return value;
    }

    /// <summary>A value parsed by <paramref name="parse"/>, which returns null for a value it does not know.</summary>
    public T Choice<T>(string key, T defaultValue, Func<string, T?> parse, string expected)
        where T : struct
    {
        var raw = configuration[key];
        if (string.IsNullOrWhiteSpace(raw))
        {
            return defaultValue;
        }

        if (parse(raw.Trim()) is { } value)
        {
            return value;
        }

        Fail(key, raw, $"is not one of {expected}");
        return defaultValue;
    }

    public string? Text(string key) => configuration[key] is { Length: > 0 } value ? value.Trim() : null;

    /// <summary>Records a bad value: <c>KEY: 'value' problem</c>.</summary>
    public void Fail(string key, string? value, string problem) => _errors.Add($"{key}: '{value}' {problem}");

    /// <summary>Records a problem that is not about one value.</summary>
    public void Fail(string message) => _errors.Add(message);

    /// <summary>Throws what options validation throws, so a bad setting stops start-up like any invalid option.</summary>
    public void ThrowIfInvalid<TOptions>()
    {
        if (_errors.Count > 0)
        {
            throw new OptionsValidationException(Options.DefaultName, typeof(TOptions), _errors);
        }
    }

    private double Number(string key, double defaultValue, double min, double max, bool exclusiveMinimum, string what)
    {
        var raw = configuration[key];
        if (string.IsNullOrWhiteSpace(raw))
        {
            return defaultValue;
        }

        if (!double.TryParse(raw.Trim(), NumberStyles.Float, CultureInfo.InvariantCulture, out var value) || !double.IsFinite(value))
        {
            Fail(key, raw, $"is not {what}");
            return defaultValue;
        }

        if ((exclusiveMinimum ? value <= min : value < min) || value > max)
        {
            Fail(key, raw, $"is out of range: expected {what} {(exclusiveMinimum ? "greater than" : "at least")} {min} and at most {max}");
            return defaultValue;
        }

        return value;
    }
}
