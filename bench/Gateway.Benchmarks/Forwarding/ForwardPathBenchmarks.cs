using System.Globalization;
using System.Net;
using BenchmarkDotNet.Attributes;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Yarp.ReverseProxy.Configuration;

namespace Gateway.Benchmarks.Forwarding;

/// <summary>
/// One GET per operation over loopback sockets: straight to a local Kestrel backend (the baseline), through the
/// real gateway host, and through a minimal YARP proxy shaped like bench/YarpBaseline. Times and allocations are per
/// request.
/// </summary>
/// <remarks>
/// <para>
/// Everything runs in this process: the client (a <see cref="SocketsHttpHandler"/>), the proxies and the backend. The
/// allocations BenchmarkDotNet reports are the whole process's (<c>GC.GetTotalAllocatedBytes</c>), so the
/// baseline's bytes are what the client and the backend allocate, and a proxy's bytes minus the baseline's are what
/// the proxy allocates per request. Likewise for time, though there the proxy also adds a second loopback hop.
/// </para>
/// <para>
/// The client reads every body to the end into one reused buffer, so that it allocates the same for every target,
/// and requests go one at a time on a kept-alive connection: this is the cost of one request, not throughput under
/// load (bench/run.sh measures that).
/// </para>
/// </remarks>
[MemoryDiagnoser]
[Config(typeof(InProcessRunConfig))]
public class ForwardPathBenchmarks : IDisposable
{
    private const string Service = "bench";
    private static readonly byte[] SmallJson =
        """{"ok":true,"message":"hello from the bench backend","items":[1,2,3]}"""u8.ToArray();
    private static readonly byte[] OneMebibyte = CreatePayload(1024 * 1024);

    private readonly byte[] _drain = new byte[64 * 1024];
    private WebApplication? _backend;
    private WebApplication? _yarp;
    private InProcessGateway? _gateway;
    private HttpClient? _client;
    private Uri _direct = null!;
    private Uri _throughGateway = null!;
    private Uri _throughYarp = null!;

    /// <summary><c>json</c>: a 68-byte JSON document; <c>1mb</c>: 1 MiB of bytes.</summary>
    [Params("json", "1mb")]
    public string Payload { get; set; } = "json";

    [GlobalSetup]
    public async Task SetupAsync()
    {
        _backend = await StartBackendAsync();
        var backend = new Uri(_backend.Urls.First());

        _gateway = new InProcessGateway(new Dictionary<string, string?>
        {
            ["LOG_LEVEL"] = "Warning",
            ["HEALTH_CHECK_INTERVAL"] = "3600",
            [$"Gateway:Services:{Service}:LoadBalancer"] = "round_robin",
            [$"Gateway:Services:{Service}:Instances:0:Host"] = backend.Host,
            [$"Gateway:Services:{Service}:Instances:0:Port"] = backend.Port.ToString(CultureInfo.InvariantCulture),
        });
        _yarp = await StartYarpAsync(backend);

        _client = new HttpClient(new SocketsHttpHandler
        {
            UseProxy = false,
            AllowAutoRedirect = false,
            UseCookies = false,
            AutomaticDecompression = DecompressionMethods.None,
        });

        _direct = new Uri(backend, Payload);
        _throughGateway = new Uri(_gateway.Address, $"{Service}/{Payload}");
        _throughYarp = new Uri(new Uri(_yarp.Urls.First()), $"{Service}/{Payload}");

        // Fail here, not with a table of fast errors: every target must answer the whole body.
        var expected = Payload == "1mb" ? OneMebibyte.Length : SmallJson.Length;
        foreach (var uri in new[] { _direct, _throughGateway, _throughYarp })
        {
            var length = await GetAsync(uri);
            if (length != expected)
            {
                throw new InvalidOperationException($"{uri} answered {length} bytes, not {expected}");
            }
        }
    }

    [Benchmark(Baseline = true)]
    public Task<long> Direct() => GetAsync(_direct);

    [Benchmark]
    public Task<long> ThroughGateway() => GetAsync(_throughGateway);

    [Benchmark]
    public Task<long> ThroughYarp() => GetAsync(_throughYarp);

    [GlobalCleanup]
    public async Task CleanupAsync()
    {
        _client?.Dispose();
        if (_gateway is not null)
        {
            await _gateway.DisposeAsync();
        }

        foreach (var app in new[] { _yarp, _backend })
        {
            if (app is not null)
            {
                await app.StopAsync();
                await app.DisposeAsync();
            }
        }

        _client = null;
        _gateway = null;
        _yarp = null;
        _backend = null;
    }

    public void Dispose()
    {
        CleanupAsync().GetAwaiter().GetResult();
        GC.SuppressFinalize(this);
    }

    private async Task<long> GetAsync(Uri uri)
    {
        using var response = await _client!.GetAsync(uri, HttpCompletionOption.ResponseHeadersRead);
        response.EnsureSuccessStatusCode();
        await using var body = await response.Content.ReadAsStreamAsync();
        long total = 0;
        int read;
        while ((read = await body.ReadAsync(_drain)) > 0)
        {
            total += read;
        }

        return total;
    }

    /// <summary>Kestrel answering <c>/1mb</c> with 1 MiB and anything else (health checks included) with the JSON.</summary>
    private static async Task<WebApplication> StartBackendAsync()
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.ConfigureKestrel(kestrel => kestrel.Listen(IPAddress.Loopback, 0));
        var app = builder.Build();
        app.Run(context =>
        {
            var body = context.Request.Path == "/1mb" ? OneMebibyte : SmallJson;
            context.Response.ContentType = body == SmallJson ? "application/json" : "application/octet-stream";
            context.Response.ContentLength = body.Length;
            return context.Response.Body.WriteAsync(body).AsTask();
        });
        await app.StartAsync();
        return app;
    }

    /// <summary>YARP with bench/YarpBaseline's route: <c>/bench/{**catch-all}</c> to the backend, prefix removed.</summary>
    private static async Task<WebApplication> StartYarpAsync(Uri backend)
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.ConfigureKestrel(kestrel => kestrel.Listen(IPAddress.Loopback, 0));
        var route = new RouteConfig
        {
            RouteId = Service,
            ClusterId = Service,
            Match = new RouteMatch { Path = $"/{Service}/{{**catch-all}}" },
            Transforms = [new Dictionary<string, string> { ["PathRemovePrefix"] = $"/{Service}" }],
        };
        var cluster = new ClusterConfig
        {
            ClusterId = Service,
            Destinations = new Dictionary<string, DestinationConfig>
            {
                ["backend"] = new() { Address = backend.GetLeftPart(UriPartial.Authority) },
            },
        };
        builder.Services.AddReverseProxy().LoadFromMemory([route], [cluster]);
        var app = builder.Build();
        app.MapReverseProxy();
        await app.StartAsync();
        return app;
    }

    private static byte[] CreatePayload(int length)
    {
        var bytes = new byte[length];
        new Random(12345).NextBytes(bytes);
        return bytes;
    }
}
