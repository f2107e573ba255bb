using System.Globalization;
using System.Net;
using Gateway.Infrastructure.Configuration;

namespace Gateway.Api.Hosting;

/// <summary>The listen settings' rules beyond being readable: an address Kestrel can bind, ports of their own, real origins.</summary>
internal sealed class GatewayServerOptionsValidation : OptionsValidation<GatewayServerOptions>
{
    protected override void Check(GatewayServerOptions options, SettingFailures failures)
    {
        var host = options.Host;
        if (!IPAddress.TryParse(host.Trim('[', ']'), out _) && !host.Equals("localhost", StringComparison.OrdinalIgnoreCase))
        {
            failures.Add(GatewayServerOptions.HostKey, host, "is not an IP address or localhost");
        }

        // Port 0 asks for any free port, so two listeners given it (as a test host does) still get ports of their own.
        if (options.H2cPort == options.Port && options.Port != 0)
        {
            failures.Add(
                GatewayServerOptions.H2cPortKey,
                options.H2cPort?.ToString(CultureInfo.InvariantCulture),
                $"is {GatewayServerOptions.PortKey} too: the two listeners need ports of their own");
        }

        foreach (var origin in options.CorsOrigins)
        {
            if (origin != "*" && !IsOrigin(origin))
            {
                failures.Add(GatewayServerOptions.CorsOriginsKey, origin, "is not an origin such as https://app.example.com, or *");
            }
        }
    }

    private static bool IsOrigin(string origin) =>
        Uri.TryCreate(origin, UriKind.Absolute, out var uri)
        && uri.Scheme is "http" or "https"
        && uri.GetLeftPart(UriPartial.Authority).Equals(origin.TrimEnd('/'), StringComparison.OrdinalIgnoreCase);
}
