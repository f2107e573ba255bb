using Gateway.Api.Hosting;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.AspNetCore.TestHost;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;

namespace Gateway.Benchmarks.Forwarding;

/// <summary>
/// The real gateway (its Program, service registration and pipeline) on Kestrel at 127.0.0.1 and a free port,
/// configured only by the given settings, as the integration tests' GatewayFactory starts it.
/// </summary>
public sealed class InProcessGateway : WebApplicationFactory<Program>
{
    private readonly Dictionary<string, string?> _settings;

    public InProcessGateway(IReadOnlyDictionary<string, string?> settings)
    {
        _settings = new Dictionary<string, string?>(settings, StringComparer.OrdinalIgnoreCase);
        // Not UseKestrel(0): the gateway binds 127.0.0.1:0 itself (below), as in the integration tests.
        UseKestrel();
    }

    /// <summary>Starts the gateway if needed and returns the address it listens on.</summary>
    public Uri Address
    {
        get
        {
            StartServer();
            return ClientOptions.BaseAddress;
        }
    }

    protected override void ConfigureWebHost(IWebHostBuilder builder)
    {
        // The factory looks for the content root next to a solution file, as src/../Gateway.Api, which does not
        // exist; the gateway reads no file from it here, so the output directory does.
        builder.UseContentRoot(AppContext.BaseDirectory);
        builder.ConfigureAppConfiguration((_, configuration) =>
        {
            // Neither the machine's environment nor appsettings.json may change what is measured.
            configuration.Sources.Clear();
            configuration.AddInMemoryCollection(_settings);
        });
        builder.ConfigureTestServices(services => services.PostConfigure<GatewayServerOptions>(server =>
        {
            server.Host = "127.0.0.1";
            server.Port = 0;
        }));
    }
}
