using System.Globalization;
using System.Net;
using Yarp.ReverseProxy.Configuration;

// A minimal YARP proxy shaped like the gateway's forwarding for one service:
//   /bench/{**catch-all}  ->  round robin over the backends, with the "/bench" prefix removed.
// Everything is configured in code, so it needs no files. Settings (command line wins over environment):
//   --port N           / YARP_PORT       port to listen on (default 8090)
//   --host ADDR        / YARP_HOST       address to bind (default 127.0.0.1)
//   --backends a:p,b:q / YARP_BACKENDS   the cluster (default 127.0.0.1:9001,127.0.0.1:9002)
var settings = Settings.Parse(args);

var builder = WebApplication.CreateBuilder();
builder.Logging.ClearProviders();
builder.Logging.AddConsole();
builder.Logging.SetMinimumLevel(LogLevel.Warning);
builder.WebHost.ConfigureKestrel(kestrel => kestrel.Listen(settings.Address, settings.Port));

var route = new RouteConfig
{
    RouteId = "bench",
    ClusterId = "bench",
    Match = new RouteMatch { Path = "/bench/{**catch-all}" },
    // No body limit, as the gateway is run for bench/upload.sh; the server's default would refuse past 30 MB.
    MaxRequestBodySize = -1,
    Transforms = [new Dictionary<string, string> { ["PathRemovePrefix"] = "/bench" }],
};
var cluster = new ClusterConfig
{
    ClusterId = "bench",
    LoadBalancingPolicy = "RoundRobin",
    Destinations = settings.Backends
        .Select((backend, index) => (backend, index))
        .ToDictionary(
            pair => "backend" + pair.index.ToString(CultureInfo.InvariantCulture),
            pair => new DestinationConfig { Address = "http://" + pair.backend }),
};
builder.Services.AddReverseProxy().LoadFromMemory([route], [cluster]);

var app = builder.Build();
app.MapReverseProxy();
await app.RunAsync();

/// <summary>Where the proxy listens and what it forwards to.</summary>
internal sealed record Settings(IPAddress Address, int Port, IReadOnlyList<string> Backends)
{
    public static Settings Parse(string[] args)
    {
        string? Get(string option, string variable)
        {
            var at = Array.IndexOf(args, option);
            return at >= 0 && at + 1 < args.Length ? args[at + 1] : Environment.GetEnvironmentVariable(variable);
        }

        var port = int.Parse(Get("--port", "YARP_PORT") ?? "8090", CultureInfo.InvariantCulture);
        var address = IPAddress.Parse(Get("--host", "YARP_HOST") ?? "127.0.0.1");
        var backends = (Get("--backends", "YARP_BACKENDS") ?? "127.0.0.1:9001,127.0.0.1:9002")
            .Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        return new Settings(address, port, backends);
    }
}
