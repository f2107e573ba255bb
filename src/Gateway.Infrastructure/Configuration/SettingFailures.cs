using Microsoft.Extensions.Options;

namespace Gateway.Infrastructure.Configuration;

/// <summary>
/// Problems with settings, one line each, naming the key and the value as the operator wrote them: the lines start-up
/// prints and a refused reload logs.
/// </summary>
public sealed class SettingFailures
{
    private readonly List<string> _lines = [];

    public IReadOnlyList<string> Lines => _lines;

    /// <summary>Records a bad value: <c>KEY: 'value' problem</c>.</summary>
    public void Add(string key, string? value, string problem) => _lines.Add($"{key}: '{value}' {problem}");

    /// <summary>Records a problem that is not about one value.</summary>
    public void Add(string message) => _lines.Add(message);

    /// <summary>Records a secret shorter than <paramref name="minimumLength"/>, naming its length but never the secret.</summary>
    public void AddIfTooShort(string key, string? secret, int minimumLength)
    {
        if (secret is { } value && value.Length < minimumLength)
        {
            Add($"{key}: a key of {value.Length} characters is too short (at least {minimumLength})");
        }
    }

    public ValidateOptionsResult ToResult() =>
        _lines.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(_lines);
}
