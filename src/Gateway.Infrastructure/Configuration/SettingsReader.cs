using System.Globalization;
using Microsoft.Extensions.Configuration;

namespace Gateway.Infrastructure.Configuration;

/// <summary>
/// Reads settings by the names operators write (<c>REQUEST_TIMEOUT</c>), collecting every bad value as one line that
/// names the key and the value. A bad value is recorded, never thrown: <see cref="RecordOn"/> leaves them with the
/// options being bound, and <see cref="BindingValidation{TOptions}"/> reports them all at once.
/// </summary>
public sealed class SettingsReader(IConfiguration configuration)
{
    private readonly SettingFailures _failures = new();

    public IReadOnlyList<string> Errors => _failures.Lines;

    /// <summary>A duration in seconds, greater than 0 and at most <paramref name="maxSeconds"/>; fractions allowed.</summary>
    public TimeSpan Seconds(string key, double defaultSeconds, double maxSeconds = 86_400) =>
        Given(key) is { } raw ? ParseSeconds(key, raw, maxSeconds) ?? TimeSpan.FromSeconds(defaultSeconds) : TimeSpan.FromSeconds(defaultSeconds);

    public long WholeNumber(string key, long defaultValue, long min, long max) =>
        Given(key) is { } raw ? ParseWholeNumber(key, raw, min, max) ?? defaultValue : defaultValue;

    /// <summary>
    /// A value at hand (a field of the registry file, say) as a duration in seconds, greater than 0 and at most
    /// <paramref name="maxSeconds"/>; null, with the problem recorded, when it is not one.
    /// </summary>
    public TimeSpan? ParseSeconds(string key, string? raw, double maxSeconds = 86_400) =>
        ParseNumber(key, raw, 0, maxSeconds, exclusiveMinimum: true, "a number of seconds") is { } seconds ? TimeSpan.FromSeconds(seconds) : null;

    /// <summary>A value at hand as a whole number from min to max; null, with the problem recorded, when it is not one.</summary>
    public long? ParseWholeNumber(string key, string? raw, long min, long max)
    {
        if (!long.TryParse(raw?.Trim(), NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var value))
        {
            Fail(key, raw, "is not a whole number");
            return null;
        }

        if (value < min || value > max)
        {
            // One wording for every range, the one the contract and the admin API use: "is outside 1-65535"; a range
            // with no real upper end (a weight, a size) is only "below" its lower one.
            Fail(key, raw, max is int.MaxValue or long.MaxValue && value < min ? $"is below {min}" : $"is outside {min}-{max}");
            return null;
        }

        return value;
    }

    /// <summary>A value at hand as a finite number in a range; null, with the problem recorded, when it is not one.</summary>
    /// <param name="what">What the value is, as the problem names it: <c>a number of seconds</c>.</param>
    public double? ParseNumber(string key, string? raw, double min, double max, bool exclusiveMinimum, string what)
    {
        if (!double.TryParse(raw?.Trim(), NumberStyles.Float, CultureInfo.InvariantCulture, out var value) || !double.IsFinite(value))
        {
            Fail(key, raw, $"is not {what}");
            return null;
        }

        if ((exclusiveMinimum ? value <= min : value < min) || value > max)
        {
            Fail(key, raw, $"is out of range: expected {what} {(exclusiveMinimum ? "greater than" : "at least")} {min} and at most {max}");
            return null;
        }

        return value;
    }

    /// <summary>A value parsed by <paramref name="parse"/>, which returns null for a value it does not know.</summary>
    public T Choice<T>(string key, T defaultValue, Func<string, T?> parse, string expected)
        where T : struct
    {
        if (Given(key) is not { } raw)
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

    /// <inheritdoc cref="SettingFailures.Add(string, string?, string)"/>
    public void Fail(string key, string? value, string problem) => _failures.Add(key, value, problem);

    /// <inheritdoc cref="SettingFailures.Add(string)"/>
    public void Fail(string message) => _failures.Add(message);

    /// <summary>Leaves what could not be read with the options it was read into, for validation to report.</summary>
    public void RecordOn(object options) => BindingErrors.Record(options, _failures.Lines);

    private string? Given(string key) => configuration[key] is { } raw && !string.IsNullOrWhiteSpace(raw) ? raw : null;
}
