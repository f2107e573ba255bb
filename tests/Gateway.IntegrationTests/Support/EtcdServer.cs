using System.Collections.Concurrent;
using System.Diagnostics;
using System.Runtime.InteropServices;

namespace Gateway.IntegrationTests.Support;

/// <summary>
/// A single-member etcd of the test's own, as a child process on 127.0.0.1 and two free ports (client and peer), with
/// its data in a temporary directory. It can be stopped (killed, as a crash would) and started again on the same ports
/// and data, for outage tests; disposing kills it and deletes its data. The binary is Debian's etcd-server package,
/// which <c>.ci/run</c> installs.
/// </summary>
public sealed class EtcdServer : IAsyncDisposable
{
    /// <summary>Where Debian's etcd-server package puts the binary, for when PATH does not lead to it.</summary>
    private const string DebianBinary = "/usr/bin/etcd";

    /// <summary>The last lines etcd wrote, for the message of a failed start.</summary>
    private const int OutputLinesKept = 200;

    /// <summary>How long a start may take until <c>/health</c> answers healthy.</summary>
    private static readonly TimeSpan StartDeadline = TimeSpan.FromSeconds(30);

    /// <summary>How long a killed process may take to be gone.</summary>
    private static readonly TimeSpan ExitDeadline = TimeSpan.FromSeconds(10);

    private static readonly TimeSpan PollInterval = TimeSpan.FromMilliseconds(50);

    private readonly string _binary;
    private readonly ConcurrentQueue<string> _output = new();
    private Process? _process;

    private EtcdServer(string binary, string dataDirectory, int clientPort, int peerPort)
    {
        _binary = binary;
        DataDirectory = dataDirectory;
        ClientPort = clientPort;
        PeerPort = peerPort;
    }

    /// <summary>The URL clients connect to, <c>http://127.0.0.1:{port}</c>: for dotnet-etcd and <c>ETCD_ENDPOINTS</c>.</summary>
    public string ClientUrl => $"http://127.0.0.1:{ClientPort}";

    public int ClientPort { get; private set; }

    public int PeerPort { get; private set; }

    public string DataDirectory { get; }

    public bool IsRunning => _process is { HasExited: false };

    /// <summary>What etcd wrote to standard output and error, the last <see cref="OutputLinesKept"/> lines.</summary>
    public IReadOnlyList<string> Output => [.. _output];

    /// <summary>
    /// The etcd binary: <c>etcd</c> on PATH, else <c>/usr/bin/etcd</c>; throws, saying how to install it, where neither is.
    /// </summary>
    public static string FindBinary()
    {
        var path = Environment.GetEnvironmentVariable("PATH") ?? "";
        foreach (var directory in path.Split(Path.PathSeparator, StringSplitOptions.RemoveEmptyEntries))
        {
            var candidate = Path.Combine(directory, "etcd");
            if (File.Exists(candidate))
            {
                return candidate;
            }
        }

        if (File.Exists(DebianBinary))
        {
            return DebianBinary;
        }

        throw new InvalidOperationException(
            "etcd is not installed: there is no 'etcd' on PATH nor at " + DebianBinary + ". The etcd tests need the binary of "
            + "Debian's etcd-server package; .ci/run installs it (apt-get install -y etcd-server), and so can you, as root.");
    }

    /// <summary>Starts a new etcd on free loopback ports with a new, empty data directory and waits until it serves.</summary>
    public static async Task<EtcdServer> StartNewAsync(CancellationToken cancellationToken = default)
    {
        var binary = FindBinary();
        var dataDirectory = Directory.CreateTempSubdirectory("gateway-etcd-").FullName;
        var (clientPort, peerPort) = TwoUnusedPorts();
        var server = new EtcdServer(binary, dataDirectory, clientPort, peerPort);
        try
        {
            // A port found free can be taken by someone else before etcd binds it; etcd then exits at once. Only the
            // first start moves to other ports (with a clean data directory, which must not remember the old peer
            // URL): a restart keeps the ones the tests already know.
            for (var attempt = 1; ; attempt++)
            {
                try
                {
                    await server.StartAsync(cancellationToken);
                    return server;
                }
                catch (InvalidOperationException) when (attempt < 3)
                {
                    (server.ClientPort, server.PeerPort) = TwoUnusedPorts();
                    Directory.Delete(dataDirectory, recursive: true);
                    Directory.CreateDirectory(dataDirectory);
                }
            }
        }
        catch
        {
            await server.DisposeAsync();
            throw;
        }
    }

    /// <summary>
    /// Starts etcd (again) on the same ports and data directory and waits until <c>/health</c> says it serves. Throws,
    /// with what etcd wrote, if it exits (<see cref="InvalidOperationException"/>) or is not healthy by the deadline
    /// (<see cref="TimeoutException"/>).
    /// </summary>
    public async Task StartAsync(CancellationToken cancellationToken = default)
    {
        if (IsRunning)
        {
            throw new InvalidOperationException($"etcd already runs on {ClientUrl}.");
        }

        DisposeProcess();
        _output.Clear();
        var process = new Process { StartInfo = CreateStartInfo() };
        process.OutputDataReceived += (_, line) => Collect(line.Data);
        process.ErrorDataReceived += (_, line) => Collect(line.Data);
        process.Start();
        _process = process;
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();

        try
        {
            await WaitUntilHealthyAsync(process, cancellationToken);
        }
        catch
        {
            await StopAsync();
            throw;
        }
    }

    /// <summary>
    /// Stops etcd in its tracks (SIGSTOP): its sockets stay open and connected, but nothing is answered, as with a hung
    /// host or a partition that drops packets rather than refusing connections.
    /// </summary>
    public void Freeze() => Signal(SigStop);

    /// <summary>Lets a frozen etcd run on (SIGCONT).</summary>
    public void Thaw() => Signal(SigCont);

    private const int SigCont = 18;
    private const int SigStop = 19;

    private void Signal(int signal)
    {
        var process = _process ?? throw new InvalidOperationException("etcd is not running.");
        if (kill(process.Id, signal) != 0)
        {
            throw new InvalidOperationException($"Signal {signal} to etcd (process {process.Id}) failed: errno {Marshal.GetLastPInvokeError()}.");
        }
    }

    [DllImport("libc", SetLastError = true)]
    private static extern int kill(int pid, int signal);

    /// <summary>Kills etcd (SIGKILL, by its process id) and waits until it is gone; the data directory stays.</summary>
    public async Task StopAsync()
    {
        var process = _process;
        if (process is null)
        {
            return;
        }

        if (!process.HasExited)
        {
            process.Kill(entireProcessTree: true);
        }

        using var timeout = new CancellationTokenSource(ExitDeadline);
        try
        {
            await process.WaitForExitAsync(timeout.Token);
        }
        catch (OperationCanceledException)
        {
            throw new TimeoutException($"etcd (process {process.Id}) did not exit within {ExitDeadline} of being killed.");
        }

        DisposeProcess();
    }

    public async ValueTask DisposeAsync()
    {
        try
        {
            await StopAsync();
        }
        finally
        {
            DisposeProcess();
            if (Directory.Exists(DataDirectory))
            {
                Directory.Delete(DataDirectory, recursive: true);
            }
        }
    }

    private static (int Client, int Peer) TwoUnusedPorts()
    {
        var client = Ports.Unused();
        var peer = Ports.Unused();
        while (peer == client)
        {
            peer = Ports.Unused();
        }

        return (client, peer);
    }

    private ProcessStartInfo CreateStartInfo()
    {
        var clientUrl = ClientUrl;
        var peerUrl = $"http://127.0.0.1:{PeerPort}";
        var start = new ProcessStartInfo(_binary)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };

        // etcd also reads its flags from ETCD_* variables (the gateway's ETCD_ENDPOINTS and ETCD_PREFIX among them):
        // none of the test environment's may reach it.
        foreach (var key in start.Environment.Keys.Where(k => k.StartsWith("ETCD_", StringComparison.OrdinalIgnoreCase)).ToList())
        {
            start.Environment.Remove(key);
        }

        string[] arguments =
        [
            "--name", "default",
            "--data-dir", DataDirectory,
            "--listen-client-urls", clientUrl,
            "--advertise-client-urls", clientUrl,
            "--listen-peer-urls", peerUrl,
            "--initial-advertise-peer-urls", peerUrl,
            "--initial-cluster", $"default={peerUrl}",
            "--initial-cluster-state", "new",
            "--logger", "zap",
            "--log-outputs", "stderr",
        ];
        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        return start;
    }

    private async Task WaitUntilHealthyAsync(Process process, CancellationToken cancellationToken)
    {
        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(2) };
        var health = new Uri($"{ClientUrl}/health");
        var stopwatch = Stopwatch.StartNew();
        while (true)
        {
            cancellationToken.ThrowIfCancellationRequested();
            if (process.HasExited)
            {
                throw new InvalidOperationException(WithOutput($"etcd exited with code {process.ExitCode} while starting on {ClientUrl}."));
            }

            try
            {
                using var response = await http.GetAsync(health, cancellationToken);
                var body = await response.Content.ReadAsStringAsync(cancellationToken);

                // {"health":"true"} once the member has a leader and serves; 503 with "false" until then.
                if (response.IsSuccessStatusCode && body.Contains("\"true\"", StringComparison.Ordinal))
                {
                    return;
                }
            }
            catch (HttpRequestException)
            {
                // Not listening yet.
            }
            catch (TaskCanceledException) when (!cancellationToken.IsCancellationRequested)
            {
                // That probe timed out; the deadline below decides.
            }

            if (stopwatch.Elapsed > StartDeadline)
            {
                throw new TimeoutException(WithOutput($"etcd on {ClientUrl} was not healthy within {StartDeadline}."));
            }

            await Task.Delay(PollInterval, cancellationToken);
        }
    }

    private void Collect(string? line)
    {
        if (line is null)
        {
            return;
        }

        _output.Enqueue(line);
        while (_output.Count > OutputLinesKept)
        {
            _output.TryDequeue(out _);
        }
    }

    private string WithOutput(string message) =>
        message + " What it wrote:" + Environment.NewLine + string.Join(Environment.NewLine, _output);

    private void DisposeProcess()
    {
        _process?.Dispose();
        _process = null;
    }
}
