using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.WebSockets;

// Two roles, for bench/ws.sh and bench/upload.sh:
//   server PORT                   a Kestrel WebSocket echo on 127.0.0.1:PORT (every path); any other request has its
//                                 body read to the end and answered with the number of bytes read
//   client URL SOCKETS SECONDS    SOCKETS sockets, each sending a 64-byte text message and waiting for its echo, one
//                                 after another, for SECONDS; prints round trips, p50, p99 (ms) and errors
if (args is ["server", var port])
{
    var builder = WebApplication.CreateSlimBuilder();
    builder.Logging.ClearProviders();
    builder.WebHost.ConfigureKestrel(kestrel =>
    {
        kestrel.Listen(IPAddress.Loopback, int.Parse(port, CultureInfo.InvariantCulture));
        kestrel.Limits.MaxRequestBodySize = null;
    });
    var app = builder.Build();
    app.UseWebSockets();
    app.Run(async context =>
    {
        if (!context.WebSockets.IsWebSocketRequest)
        {
            // Read to the last byte before answering: an early answer would let the sender stop short.
            var chunk = new byte[64 * 1024];
            long total = 0;
            int read;
            while ((read = await context.Request.Body.ReadAsync(chunk)) > 0)
            {
                total += read;
            }

            await context.Response.WriteAsync(total.ToString(CultureInfo.InvariantCulture));
            return;
        }

        using var socket = await context.WebSockets.AcceptWebSocketAsync();
        var buffer = new byte[4096];
        while (true)
        {
            var received = await socket.ReceiveAsync(buffer, CancellationToken.None);
            if (received.MessageType == WebSocketMessageType.Close)
            {
                await socket.CloseOutputAsync(WebSocketCloseStatus.NormalClosure, null, CancellationToken.None);
                return;
            }

            await socket.SendAsync(buffer.AsMemory(0, received.Count), received.MessageType, received.EndOfMessage, CancellationToken.None);
        }
    });
    await app.RunAsync();
    return 0;
}

if (args is ["client", var url, var socketsText, var secondsText])
{
    var sockets = int.Parse(socketsText, CultureInfo.InvariantCulture);
    var until = Stopwatch.GetTimestamp() + (long)(double.Parse(secondsText, CultureInfo.InvariantCulture) * Stopwatch.Frequency);
    var samples = new List<double>[sockets];
    var errors = 0;
    var message = new byte[64];
    Array.Fill(message, (byte)'x');
    await Task.WhenAll(Enumerable.Range(0, sockets).Select(async i =>
    {
        var mine = samples[i] = new List<double>(100_000);
        try
        {
            using var socket = new ClientWebSocket();
            await socket.ConnectAsync(new Uri(url), CancellationToken.None);
            var buffer = new byte[4096];
            while (Stopwatch.GetTimestamp() < until)
            {
                var started = Stopwatch.GetTimestamp();
                await socket.SendAsync(message, WebSocketMessageType.Text, true, CancellationToken.None);
                var received = await socket.ReceiveAsync(buffer, CancellationToken.None);
                if (received.Count != message.Length)
                {
                    Interlocked.Increment(ref errors);
                }

                mine.Add(Stopwatch.GetElapsedTime(started).TotalMilliseconds);
            }

            await socket.CloseAsync(WebSocketCloseStatus.NormalClosure, null, CancellationToken.None);
        }
        catch (Exception error) when (error is WebSocketException or IOException)
        {
            Interlocked.Increment(ref errors);
        }
    }));

    var all = samples.SelectMany(list => list).Order().ToArray();
    double Percentile(double p) => all.Length == 0 ? double.NaN : all[Math.Min(all.Length - 1, (int)(p * all.Length))];
    Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
        $"round_trips={all.Length} p50_ms={Percentile(0.50):F3} p99_ms={Percentile(0.99):F3} errors={errors}"));
    return errors == 0 ? 0 : 1;
}

Console.Error.WriteLine("usage: WebSocketEcho server PORT | client URL SOCKETS SECONDS");
return 64;
