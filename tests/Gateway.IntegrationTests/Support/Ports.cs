using System.Collections.Concurrent;
using System.Net;
using System.Net.Sockets;

namespace Gateway.IntegrationTests.Support;

public static class Ports
{
    private static readonly ConcurrentBag<Socket> DeadPorts = [];

    /// <summary>
    /// A loopback port of a dead instance: connections to it are refused. Its socket is bound but never listens, so
    /// no other test's server can be given the port and bring the "dead" instance to life; the sockets close with
    /// the test process.
    /// </summary>
    public static int Dead()
    {
        var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        socket.Bind(new IPEndPoint(IPAddress.Loopback, 0));
        DeadPorts.Add(socket);
        return ((IPEndPoint)socket.LocalEndPoint!).Port;
    }

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
