using Gateway.Infrastructure.Configuration;

namespace Gateway.Api.Telemetry;

/// <summary>Refuses a meter name no .NET meter could have: a misspelt list would otherwise export nothing, silently.</summary>
internal sealed class MetricsOptionsValidation : OptionsValidation<MetricsOptions>
{
    protected override void Check(MetricsOptions options, SettingFailures failures)
    {
        foreach (var name in options.Meters)
        {
            if (!IsMeterName(name))
            {
                failures.Add(MetricsOptions.MetersKey, name, "is not a meter name such as System.Net.Http");
            }
        }
    }

    private static bool IsMeterName(string name) =>
        name.All(c => char.IsAsciiLetterOrDigit(c) || c is '.' or '-' or '_');
}
