using Gateway.Application.Registration;
using Microsoft.Extensions.Configuration;

namespace Gateway.Infrastructure.Configuration;

/// <summary>Reads <see cref="RegistrationOptions"/> from <c>Gateway:Registration</c>.</summary>
internal static class RegistrationSettings
{
    public static void Bind(RegistrationOptions options, IConfiguration configuration)
    {
        var settings = new SettingsReader(configuration);
        options.DrainTimeout = settings.Seconds(
            RegistrationOptions.SectionPath + ":DrainTimeoutSeconds", options.DrainTimeout.TotalSeconds, 3600);
        settings.ThrowIfInvalid<RegistrationOptions>();
    }
}
