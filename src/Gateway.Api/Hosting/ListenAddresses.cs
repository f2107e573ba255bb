using System.Net;
using System.Net.NetworkInformation;
using Gateway.Application.Registration;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;

namespace Gateway.Api.Hosting;

/// <summary>Whether an instance address is the gateway's own: an instance there would send every request back in.</summary>
internal static class ListenAddresses
{
    public static bool IsGateway(GatewayServerOptions server, string host, int port) =>
        IsGateway(server.Host, server.Port, host, port)
        || (server.H2cPort is { } h2cPort && IsGateway(server.Host, h2cPort, host, port));

    /// <param name="listenHost">An IP address, <c>localhost</c>, or a wildcard (<c>0.0.0.0</c>, <c>[::]</c>, <c>+</c>, <c>*</c>).</param>
    public static bool IsGateway(string listenHost, int listenPort, string host, int port)
    {
        if (port != listenPort)
        {
            return false;
        }

        var listen = listenHost switch
        {
            "+" or "*" => IPAddress.IPv6Any,
            _ when listenHost.Equals("localhost", StringComparison.OrdinalIgnoreCase) => IPAddress.Loopback,
            _ => IPAddress.TryParse(listenHost.Trim('[', ']'), out var listenAddress) ? listenAddress : null,
        };
        if (listen is null)
        {
            return false;
        }

        IPAddress? target = host.Equals("localhost", StringComparison.OrdinalIgnoreCase)
            ? IPAddress.Loopback
            : IPAddress.TryParse(host.Trim('[', ']'), out var parsed) ? parsed : null;
        if (target is null)
        {
            // A host name would need a DNS lookup at validation time; loops through names are caught by Via instead.
            return false;
        }

        if (IPAddress.IsLoopback(listen))
        {
            return IPAddress.IsLoopback(target);
        }

        if (listen.Equals(IPAddress.Any) || listen.Equals(IPAddress.IPv6Any))
        {
            return IPAddress.IsLoopback(target) || target.Equals(IPAddress.Any) || target.Equals(IPAddress.IPv6Any) || IsLocal(target);
        }

        return target.Equals(listen);
    }

    private static bool IsLocal(IPAddress address) =>
        NetworkInterface.GetAllNetworkInterfaces()
            .SelectMany(network => network.GetIPProperties().UnicastAddresses)
            .Any(unicast => unicast.Address.Equals(address));
}

/// <summary>The addresses the server is bound to, which the admin API checks registrations against.</summary>
internal sealed class GatewayAddress(IServer server) : IGatewayAddress
{
    public bool IsGateway(string host, int port)
    {
        foreach (var address in server.Features.Get<IServerAddressesFeature>()?.Addresses ?? [])
        {
            // Kestrel reports what it bound, port 0 resolved: "http://127.0.0.1:8080", "http://[::]:8080".
            if (BindingAddress.Parse(address) is var bound && ListenAddresses.IsGateway(bound.Host, bound.Port, host, port))
            {
                return true;
            }
        }

        return false;
    }
}
