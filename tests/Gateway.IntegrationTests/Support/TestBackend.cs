using System.Collections.Concurrent;
using System.Net;
using System.Security.Cryptography;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Gateway.IntegrationTests.Support;

/// <summary>What a backend saw of one request.</summary>
public sealed record ReceivedRequest(
    string Method,
    string RawTarget,
    IReadOnlyDictionary<string, string[]> Headers,
    long BodyLength,
    string BodySha256);

/// <summary>
/// A real Kestrel server on 127.0.0.1 and a free port, standing in for a service instance. It records every request
/// it receives; <see cref="Handler"/> decides the answer (by default an echo of the request as JSON).
/// </summary>
public sealed class TestBackend : IAsyncDisposable
{
    private readonly WebApplication _app;

    private TestBackend(WebApplication app, string name)
    {
        _app = app;
        Name = name;
    }

    public string Name { get; }

    public int Port { get; private set; }

    /// <summary>Requests that came through the gateway's proxy: they carry X-Forwarded-Prefix.</summary>
    public ConcurrentQueue<ReceivedRequest> Received { get; } = new();

    /// <summary>Everything else: the gateway's own health probes.</summary>
    public ConcurrentQueue<ReceivedRequest> Probes { get; } = new();

    /// <summary>Answers proxied requests; replace it to script the backend. Runs after the request was recorded.</summary>
    public Func<HttpContext, Task> Handler { get; set; } = DefaultHandler;

    /// <summary>Answers the gateway's health probes: 200 unless replaced.</summary>
    public Func<HttpContext, Task> ProbeHandler { get; set; } = context => context.Response.WriteAsJsonAsync(new { status = "healthy" });

    public static async Task<TestBackend> StartAsync(string name = "backend")
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.ConfigureKestrel(kestrel =>
        {
            kestrel.Listen(IPAddress.Loopback, 0);
            kestrel.Limits.MaxRequestBodySize = null;
        });
        var app = builder.Build();
        var backend = new TestBackend(app, name);
        app.Run(backend.HandleAsync);
        await app.StartAsync();
        var address = app.Services.GetRequiredService<IServer>().Features.GetRequiredFeature<IServerAddressesFeature>().Addresses.Single();
        backend.Port = new Uri(address).Port;
        return backend;
    }

    /// <summary>Stops at once, as a crash would: connections and requests in flight are cut, not drained.</summary>
    public async Task KillAsync()
    {
        using var now = new CancellationTokenSource();
        await now.CancelAsync();
        await _app.StopAsync(now.Token);
    }

    public async ValueTask DisposeAsync()
    {
        using var stop = new CancellationTokenSource(TimeSpan.FromSeconds(5));
        await _app.StopAsync(stop.Token);
        await _app.DisposeAsync();
    }

    /// <summary>The default answer: 200 with what the backend saw, as JSON, and its name in X-Backend.</summary>
    public static Task DefaultHandler(HttpContext context)
    {
        var received = (ReceivedRequest)context.Items[typeof(ReceivedRequest)]!;
        return context.Response.WriteAsJsonAsync(received);
    }

    private async Task HandleAsync(HttpContext context)
    {
        var request = context.Request;
        var headers = request.Headers.ToDictionary(h => h.Key, h => h.Value.Select(v => v ?? "").ToArray(), StringComparer.OrdinalIgnoreCase);
        long length = 0;
        using var sha = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        var buffer = new byte[64 * 1024];
        if (!request.Path.StartsWithSegments("/raw"))
        {
            int read;
            while ((read = await request.Body.ReadAsync(buffer, context.RequestAborted)) > 0)
            {
                sha.AppendData(buffer, 0, read);
                length += read;
            }
        }

        var received = new ReceivedRequest(
            request.Method,
            context.Features.GetRequiredFeature<IHttpRequestFeature>().RawTarget,
            headers,
            length,
            Convert.ToHexStringLower(sha.GetHashAndReset()));
        var proxied = headers.ContainsKey("X-Forwarded-Prefix");
        (proxied ? Received : Probes).Enqueue(received);
        context.Items[typeof(ReceivedRequest)] = received;
        context.Response.Headers["X-Backend"] = Name;
        await (proxied ? Handler : ProbeHandler)(context);
    }
}
