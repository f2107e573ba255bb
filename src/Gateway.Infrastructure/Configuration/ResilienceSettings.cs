using Gateway.Application.Forwarding;
using Microsoft.Extensions.Configuration;

namespace Gateway.Infrastructure.Configuration;

/// <summary>Reads <see cref="ResilienceOptions"/> from <c>Gateway:Resilience</c>.</summary>
internal static class ResilienceSettings
{
    public static void Bind(ResilienceOptions options, IConfiguration configuration)
    {
        var settings = new SettingsReader(configuration);
        var section = ResilienceOptions.SectionPath + ":";
        options.MaxAttempts = (int)settings.WholeNumber(section + "MaxAttempts", options.MaxAttempts, 1, 10);
        options.FailureThreshold = (int)settings.WholeNumber(section + "FailureThreshold", options.FailureThreshold, 1, 1000);
        options.BreakDuration = settings.Seconds(section + "BreakSeconds", options.BreakDuration.TotalSeconds, 3600);
        settings.RecordOn(options);
    }
}
