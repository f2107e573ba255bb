using System.Net;
using System.Net.Sockets;
using System.Text;

namespace Gateway.IntegrationTests.Support;

/// <summary>
/// An "instance" that reads each request head and answers with exactly the bytes given, valid HTTP or not, then
/// closes the connection (or, made with <see cref="StartResetting"/>, resets it without a word): for answers no
/// real server would send.
/// </summary>
public sealed class ScriptedServer : IAsyncDisposable
{
    private readonly TcpListener _listener;
    private readonly byte[]? _answer;
    private readonly Task _accepting;
    private int _requests;

    private ScriptedServer(TcpListener listener, byte[]? answer)
    {
        _listener = listener;
        _answer = answer;
        _accepting = AcceptAsync();
    }

    public int Port => ((IPEndPoint)_listener.LocalEndpoint).Port;

    /// <summary>Request heads read so far.</summary>
    public int Requests => Volatile.Read(ref _requests);

    /// <param name="answer">The answer, in Latin-1, so that any byte can be written as a char.</param>
    public static ScriptedServer Start(string answer) => Listen(Encoding.Latin1.GetBytes(answer));

    /// <summary>One that resets each connection once it has read the request head, as a crashing process does.</summary>
    public static ScriptedServer StartResetting() => Listen(answer: null);

    private static ScriptedServer Listen(byte[]? answer)
    {
        var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return new ScriptedServer(listener, answer);
    }

    public async ValueTask DisposeAsync()
    {
        _listener.Stop();
        await _accepting;
    }

    private async Task AcceptAsync()
    {
        while (true)
        {
            TcpClient connection;
            try
            {
                connection = await _listener.AcceptTcpClientAsync();
            }
            catch (Exception error) when (error is SocketException or ObjectDisposedException)
            {
                return;
            }

            _ = AnswerAsync(connection);
        }
    }

    private async Task AnswerAsync(TcpClient connection)
    {
        using (connection)
        {
            try
            {
                var stream = connection.GetStream();
                var buffer = new byte[4096];
                var head = new StringBuilder();
                int read;
                while (!head.ToString().Contains("\r\n\r\n", StringComparison.Ordinal) && (read = await stream.ReadAsync(buffer)) > 0)
                {
                    head.Append(Encoding.Latin1.GetString(buffer, 0, read));
                }

                Interlocked.Increment(ref _requests);
                if (_answer is null)
                {
                    // No linger: closing sends RST, as a crashing process or a dropped connection does.
                    connection.Client.LingerState = new LingerOption(enable: true, seconds: 0);
                    return;
                }

                await stream.WriteAsync(_answer);
            }
            catch (IOException)
            {
                // The gateway gave up on the connection first.
            }
        }
    }
}
