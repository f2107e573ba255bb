using Gateway.Application.Edge;
using Gateway.Application.Registration;
using Microsoft.Extensions.Configuration;

namespace Gateway.Infrastructure.Configuration;

/// <summary>Gateway-wide settings of the edge policies: which proxies' <c>X-Forwarded-For</c> is believed.</summary>
public sealed class EdgeOptions
{
    public TrustedProxies TrustedProxies { get; set; } = TrustedProxies.None;

    public static void Bind(EdgeOptions options, IConfiguration configuration)
    {
        var settings = new SettingsReader(configuration);
        if (settings.Text(TrustedProxies.Key) is { } list)
        {
            var networks = new List<System.Net.IPNetwork>();
            foreach (var entry in list.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries))
            {
                if (AllowedNetworks.TryParseNetwork(entry, out var network))
                {
                    networks.Add(network);
                }
                else
                {
                    settings.Fail(TrustedProxies.Key, entry, "is not an address or a network in CIDR notation (such as 10.0.0.0/8)");
                }
            }

            options.TrustedProxies = new TrustedProxies(networks);
        }

        settings.RecordOn(options);
    }
}
