using Gateway.Api.Hosting;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.AspNetCore.TestHost;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;

namespace Gateway.IntegrationTests.Support;

/// <summary>
/// The real gateway (its Program, services and pipeline) on real Kestrel at 127.0.0.1 and a free port, configured
/// only by the settings a test gives: the machine's environment variables and appsettings.json do not leak in.
/// </summary>
public sealed class GatewayFactory : WebApplicationFactory<Program>
{
    private readonly Dictionary<string, string?> _settings = new(StringComparer.OrdinalIgnoreCase)
    {
        ["LOG_LEVEL"] = "Warning",
        ["HEALTH_CHECK_INTERVAL"] = "3600",
    };

    private readonly List<Action<IServiceCollection>> _services = [];

    public GatewayFactory()
    {
        // Not UseKestrel(0): that rewrites the server's addresses while the app, which runs its own start-up, may
        // already be binding them, and then fails now and then with "Addresses cannot be modified after the server
        // has started" (dotnet/aspnetcore#67714). The gateway binds 127.0.0.1:0 itself instead (see below).
        UseKestrel();
    }

    public Uri BaseAddress
    {
        get
        {
            StartServer();
            return ClientOptions.BaseAddress;
        }
    }

    /// <summary>
    /// Every address the gateway listens on, in the order its listeners were bound: its port first, then the h2c
    /// port when GATEWAY_H2C_PORT is set.
    /// </summary>
    public IReadOnlyList<Uri> Addresses
    {
        get
        {
            StartServer();
            var addresses = Services.GetRequiredService<IServer>().Features.GetRequiredFeature<IServerAddressesFeature>().Addresses;
            return [.. addresses.Select(address => new Uri(address))];
        }
    }

    /// <summary>Sets a setting, by the name an operator would use (REQUEST_TIMEOUT, Gateway:Services:...).</summary>
    public GatewayFactory With(string key, string? value)
    {
        _settings[key] = value;
        return this;
    }

    /// <summary>Registers a service whose instances are the given backends, in order.</summary>
    public GatewayFactory WithService(string name, string loadBalancer, params TestBackend[] backends)
    {
        var prefix = $"Gateway:Services:{name}";
        _settings[$"{prefix}:LoadBalancer"] = loadBalancer;
        for (var i = 0; i < backends.Length; i++)
        {
            _settings[$"{prefix}:Instances:{i}:Host"] = "127.0.0.1";
            _settings[$"{prefix}:Instances:{i}:Port"] = backends[i].Port.ToString(System.Globalization.CultureInfo.InvariantCulture);
        }

        return this;
    }

    public GatewayFactory WithService(string name, params TestBackend[] backends) => WithService(name, "round_robin", backends);

    /// <summary>Registers a service whose instances are 127.0.0.1 on the given ports, listening or not.</summary>
    public GatewayFactory WithServicePorts(string name, string loadBalancer, params int[] ports)
    {
        var prefix = $"Gateway:Services:{name}";
        _settings[$"{prefix}:LoadBalancer"] = loadBalancer;
        for (var i = 0; i < ports.Length; i++)
        {
            _settings[$"{prefix}:Instances:{i}:Host"] = "127.0.0.1";
            _settings[$"{prefix}:Instances:{i}:Port"] = ports[i].ToString(System.Globalization.CultureInfo.InvariantCulture);
        }

        return this;
    }

    public GatewayFactory WithServices(Action<IServiceCollection> configure)
    {
        _services.Add(configure);
        return this;
    }

    /// <summary>A client that sends exactly the path and query it is given, without normalizing them.</summary>
    public HttpClient CreateRawClient()
    {
        var client = new HttpClient(new SocketsHttpHandler { UseProxy = false, AllowAutoRedirect = false, UseCookies = false })
        {
            BaseAddress = BaseAddress,
        };
        return client;
    }

    protected override void ConfigureWebHost(IWebHostBuilder builder)
    {
        builder.ConfigureAppConfiguration((_, configuration) =>
        {
            configuration.Sources.Clear();
            configuration.AddInMemoryCollection(_settings);
        });
        builder.ConfigureTestServices(services =>
        {
            // An ephemeral loopback port is for tests only: GATEWAY_PORT itself must be 1-65535.
            services.PostConfigure<GatewayServerOptions>(server =>
            {
                server.Host = "127.0.0.1";
                server.Port = 0;
                if (server.H2cPort is not null)
                {
                    server.H2cPort = 0;
                }
            });
            foreach (var configure in _services)
            {
                configure(services);
            }
        });
    }
}
