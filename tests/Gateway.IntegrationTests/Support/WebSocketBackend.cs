using System.Collections.Concurrent;
using System.Net;
using System.Net.WebSockets;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Gateway.IntegrationTests.Support;

/// <summary>
/// A real Kestrel WebSocket server on 127.0.0.1 and a free port, standing in for an instance:
/// <list type="bullet">
/// <item><c>/echo</c> sends every frame back as it came (type, fragment boundaries) and answers a close with the
/// client's own code and description;</item>
/// <item><c>/close?code=&amp;reason=</c> closes first, with that code and reason;</item>
/// <item><c>/reject</c> answers 403 with a body instead of switching;</item>
/// <item>anything else that is not a WebSocket request gets 200 with the Upgrade header it saw (none: <c>-</c>).</item>
/// </list>
/// </summary>
public sealed class WebSocketBackend : IAsyncDisposable
{
    private readonly WebApplication _app;
    private int _open;

    private WebSocketBackend(WebApplication app) => _app = app;

    public int Port { get; private set; }

    /// <summary>Sockets accepted and not yet ended.</summary>
    public int Open => Volatile.Read(ref _open);

    /// <summary>How each socket ended, as seen here: the close status received, or the exception's type.</summary>
    public ConcurrentQueue<string> Endings { get; } = new();

    public static async Task<WebSocketBackend> StartAsync()
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.ConfigureKestrel(kestrel => kestrel.Listen(IPAddress.Loopback, 0));
        var app = builder.Build();
        var backend = new WebSocketBackend(app);
        // The server's own keep-alive pings off: the tests' clients send theirs, and the server's pongs answer them.
        app.UseWebSockets(new WebSocketOptions { KeepAliveInterval = TimeSpan.Zero });
        app.Run(backend.HandleAsync);
        await app.StartAsync();
        var address = app.Services.GetRequiredService<IServer>().Features.GetRequiredFeature<IServerAddressesFeature>().Addresses.Single();
        backend.Port = new Uri(address).Port;
        return backend;
    }

    public async ValueTask DisposeAsync()
    {
        using var stop = new CancellationTokenSource(TimeSpan.FromSeconds(5));
        await _app.StopAsync(stop.Token);
        await _app.DisposeAsync();
    }

    private async Task HandleAsync(HttpContext context)
    {
        if (context.Request.Path == "/health")
        {
            return;
        }

        if (!context.WebSockets.IsWebSocketRequest)
        {
            context.Response.StatusCode = context.Request.Path == "/reject" ? 403 : 200;
            var upgrade = context.Request.Headers.Upgrade.ToString();
            await context.Response.WriteAsync(context.Request.Path == "/reject" ? "no sockets here" : (upgrade.Length == 0 ? "-" : upgrade));
            return;
        }

        if (context.Request.Path == "/reject")
        {
            context.Response.StatusCode = 403;
            await context.Response.WriteAsync("no sockets here");
            return;
        }

        using var socket = await context.WebSockets.AcceptWebSocketAsync();
        Interlocked.Increment(ref _open);
        try
        {
            if (context.Request.Path == "/close")
            {
                var code = (WebSocketCloseStatus)int.Parse(context.Request.Query["code"]!, System.Globalization.CultureInfo.InvariantCulture);
                await socket.CloseOutputAsync(code, context.Request.Query["reason"], context.RequestAborted);
            }

            await EchoAsync(socket, context.RequestAborted);
        }
        catch (Exception error) when (error is WebSocketException or OperationCanceledException or IOException)
        {
            Endings.Enqueue(error.GetType().Name);
        }
        finally
        {
            Interlocked.Decrement(ref _open);
        }
    }

    private async Task EchoAsync(WebSocket socket, CancellationToken cancellationToken)
    {
        var buffer = new byte[64 * 1024];
        while (true)
        {
            var received = await socket.ReceiveAsync(buffer, cancellationToken);
            if (received.MessageType == WebSocketMessageType.Close)
            {
                Endings.Enqueue($"{(int)received.CloseStatus!} {received.CloseStatusDescription}");
                if (socket.State == WebSocketState.CloseReceived)
                {
                    await socket.CloseOutputAsync(received.CloseStatus!.Value, received.CloseStatusDescription, cancellationToken);
                }

                return;
            }

            await socket.SendAsync(buffer.AsMemory(0, received.Count), received.MessageType, received.EndOfMessage, cancellationToken);
        }
    }
}
