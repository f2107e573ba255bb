using Gateway.Infrastructure.Configuration;
using Microsoft.Extensions.Options;

namespace Gateway.Api.Hosting;

/// <summary>Refuses a configured registry with an instance at the gateway's own address, naming it.</summary>
internal sealed class SelfAddressValidation(IOptions<GatewayServerOptions> server) : OptionsValidation<RegistryOptions>
{
    protected override void Check(RegistryOptions options, SettingFailures failures)
    {
        GatewayServerOptions listen;
        try
        {
            listen = server.Value;
        }
        catch (OptionsValidationException)
        {
            // The listen settings are invalid: their own validation names them, alongside every other failure.
            return;
        }

        foreach (var service in options.Services)
        {
            for (var i = 0; i < service.Instances.Count; i++)
            {
                var instance = service.Instances[i];
                if (ListenAddresses.IsGateway(listen, instance.Host, instance.Port))
                {
                    failures.Add(
                        $"{service.Name}.Instances[{i}]",
                        $"{instance.Host}:{instance.Port}",
                        $"is the gateway's own address ({GatewayServerOptions.HostKey}={listen.Host}, {PortSetting(listen, instance.Port)}): "
                        + "every request would come back to it");
                }
            }
        }
    }

    private static string PortSetting(GatewayServerOptions listen, int port) =>
        port == listen.H2cPort
            ? $"{GatewayServerOptions.H2cPortKey}={listen.H2cPort}"
            : $"{GatewayServerOptions.PortKey}={listen.Port}";
}
