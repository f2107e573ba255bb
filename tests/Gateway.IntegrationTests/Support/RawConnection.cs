using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Text;

namespace Gateway.IntegrationTests.Support;

/// <summary>What a server answered on a bare connection: the status code and the whole text, head and body.</summary>
public sealed record RawResponse(int StatusCode, string Text);

/// <summary>
/// Sends bytes exactly as written over a new TCP connection, for requests no HttpClient would send (two framings,
/// a broken request line). The request should say <c>Connection: close</c>: the answer is read until the server closes.
/// </summary>
public static class RawConnection
{
    private static readonly TimeSpan Deadline = TimeSpan.FromSeconds(30);

    public static Task<RawResponse> SendAsync(Uri server, string request, CancellationToken cancellationToken = default) =>
        SendAsync(server, request, Encoding.ASCII, cancellationToken);

    /// <param name="encoding">How the request's characters become bytes, for requests with bytes beyond ASCII.</param>
    public static async Task<RawResponse> SendAsync(Uri server, string request, Encoding encoding, CancellationToken cancellationToken = default)
    {
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(Deadline);
        using var socket = new TcpClient();
        await socket.ConnectAsync(IPAddress.Loopback, server.Port, timeout.Token);
        var stream = socket.GetStream();
        await stream.WriteAsync(encoding.GetBytes(request), timeout.Token);

        using var reader = new StreamReader(stream, Encoding.ASCII);
        var text = await reader.ReadToEndAsync(timeout.Token);
        return new RawResponse(ParseStatus(text), text);
    }

    /// <summary>The status code of <c>HTTP/1.1 400 Bad Request</c>; 0 when nothing that looks like a status line came back.</summary>
    private static int ParseStatus(string text)
    {
        var parts = text.Split("\r\n", 2)[0].Split(' ', 3);
        return parts.Length >= 2 && parts[0].StartsWith("HTTP/", StringComparison.Ordinal)
            && int.TryParse(parts[1], NumberStyles.None, CultureInfo.InvariantCulture, out var status)
                ? status
                : 0;
    }
}
