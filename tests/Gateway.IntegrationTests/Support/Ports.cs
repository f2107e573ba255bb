using System.Net;
using System.Net.Sockets;

namespace Gateway.IntegrationTests.Support;

public static class Ports
{
    /// <summary>A loopback port that was free a moment ago and that nobody listens on now: a dead instance.</summary>
    public static int Unused()
    {
        var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        var port = ((IPEndPoint)listener.LocalEndpoint).Port;
        listener.Stop();
        return port;
    }
}
