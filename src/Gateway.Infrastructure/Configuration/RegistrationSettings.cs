using System.Net;
using Gateway.Application.Registration;
using Microsoft.Extensions.Configuration;

namespace Gateway.Infrastructure.Configuration;

/// <summary>Reads <see cref="RegistrationOptions"/> from <c>Gateway:Registration</c> and <c>GATEWAY_ADMIN_ALLOWED_NETWORKS</c>.</summary>
internal static class RegistrationSettings
{
    public static void Bind(RegistrationOptions options, IConfiguration configuration)
    {
        var settings = new SettingsReader(configuration);
        options.DrainTimeout = settings.Seconds(
            RegistrationOptions.SectionPath + ":DrainTimeoutSeconds", options.DrainTimeout.TotalSeconds, 3600);
        if (settings.Text(AllowedNetworks.Key) is { } list)
        {
            var networks = new List<IPNetwork>();
            foreach (var entry in list.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
            {
                if (AllowedNetworks.TryParseNetwork(entry, out var network))
                {
                    networks.Add(network);
                }
                else
                {
                    settings.Fail(AllowedNetworks.Key, entry, "is not a network in CIDR notation (such as 10.0.0.0/8, with no bits set after the prefix) or an IP address");
                }
            }

            options.AllowedNetworks = new AllowedNetworks(networks);
        }

        settings.RecordOn(options);
    }
}
