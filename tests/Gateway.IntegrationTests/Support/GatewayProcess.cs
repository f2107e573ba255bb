using System.Collections.Concurrent;
using System.Diagnostics;

namespace Gateway.IntegrationTests.Support;

/// <summary>
/// The built gateway (<c>dotnet Gateway.Api.dll</c>) as a child process, as an operator starts it: configured only by
/// the environment variables and arguments a test gives, with its standard output and error captured.
/// </summary>
public sealed class GatewayProcess : IAsyncDisposable
{
    /// <summary>The settings the contract defines; inherited values of these never reach the child.</summary>
    private static readonly string[] ContractKeys =
    [
        "GATEWAY_HOST", "GATEWAY_PORT", "REQUEST_TIMEOUT", "HEALTH_CHECK_INTERVAL", "LOG_LEVEL", "GATEWAY_REGISTRY_FILE",
        "LOG_FORMAT", "CORS_ORIGINS", "MAX_REQUEST_BODY_SIZE", "GATEWAY_ADMIN_KEY", "REGISTRY_STORE", "ETCD_ENDPOINTS",
        "ETCD_PREFIX", "GATEWAY_MAX_CONNECTIONS", "GATEWAY_ADMIN_ALLOWED_NETWORKS", "URLS", "HTTP_PORTS", "HTTPS_PORTS",
        "GATEWAY_TLS_CERT", "GATEWAY_TLS_KEY", "GATEWAY_H2C_PORT",
    ];

    /// <summary>ASP.NET Core also reads environment variables under these prefixes, with the prefix removed.</summary>
    private static readonly string[] HostPrefixes = ["ASPNETCORE_", "DOTNET_"];

    private readonly Process _process;
    private readonly ConcurrentQueue<string> _output = new();
    private readonly ConcurrentQueue<string> _error = new();

    private GatewayProcess(Process process)
    {
        _process = process;
    }

    /// <summary>src/Gateway.Api/bin/{same configuration as the tests}/{same framework}/Gateway.Api.dll.</summary>
    public static string AssemblyPath { get; } = FindAssembly();

    public bool HasExited => _process.HasExited;

    /// <summary>Descriptors the gateway holds open now (Linux).</summary>
    public int OpenDescriptors => Directory.GetFiles($"/proc/{_process.Id}/fd").Length;

    public int ExitCode => _process.ExitCode;

    /// <summary>When the process started, as the gateway itself reports it in <c>GET /</c>.</summary>
    public DateTimeOffset StartedAt => _process.StartTime.ToUniversalTime();

    public IReadOnlyList<string> StandardOutput => [.. _output];

    public IReadOnlyList<string> StandardError => [.. _error];

    public static GatewayProcess Start(IReadOnlyDictionary<string, string> environment, params string[] arguments) =>
        Start(environment, descriptorLimit: null, arguments);

    /// <summary>Starts the gateway under <c>ulimit -n</c>: soft and hard open-file limits both set to <paramref name="descriptorLimit"/>.</summary>
    public static GatewayProcess Start(IReadOnlyDictionary<string, string> environment, int? descriptorLimit, params string[] arguments)
    {
        var start = new ProcessStartInfo(descriptorLimit is null ? "dotnet" : "/bin/sh")
        {
            // Where a deployment runs it from: its appsettings.json is the base the environment overrides.
            WorkingDirectory = Path.GetDirectoryName(AssemblyPath)!,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        if (descriptorLimit is { } limit)
        {
            // exec: the gateway replaces the shell, so killing the process kills the gateway.
            start.ArgumentList.Add("-c");
            start.ArgumentList.Add($"ulimit -n {limit} && exec dotnet \"$@\"");
            start.ArgumentList.Add("sh");
        }

        start.ArgumentList.Add(AssemblyPath);
        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        foreach (var key in start.Environment.Keys.Where(IsGatewaySetting).ToList())
        {
            start.Environment.Remove(key);
        }

        start.Environment["DOTNET_ENVIRONMENT"] = "Production";
        start.Environment["ASPNETCORE_ENVIRONMENT"] = "Production";
        foreach (var (key, value) in environment)
        {
            start.Environment[key] = value;
        }

        var process = new Process { StartInfo = start };
        var gateway = new GatewayProcess(process);
        process.OutputDataReceived += (_, line) => Collect(gateway._output, line.Data);
        process.ErrorDataReceived += (_, line) => Collect(gateway._error, line.Data);
        process.Start();
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        return gateway;
    }

    /// <summary>Waits for the process to end and its output to be read; false if it still runs at the deadline.</summary>
    public async Task<bool> WaitForExitAsync(TimeSpan deadline)
    {
        using var timeout = new CancellationTokenSource(deadline);
        try
        {
            await _process.WaitForExitAsync(timeout.Token);
            return true;
        }
        catch (OperationCanceledException)
        {
            return false;
        }
    }

    public async ValueTask DisposeAsync()
    {
        try
        {
            if (!_process.HasExited)
            {
                _process.Kill(entireProcessTree: true);
                await WaitForExitAsync(TimeSpan.FromSeconds(10));
            }
        }
        finally
        {
            _process.Dispose();
        }
    }

    private static void Collect(ConcurrentQueue<string> lines, string? line)
    {
        if (line is not null)
        {
            lines.Enqueue(line);
        }
    }

    private static bool IsGatewaySetting(string key)
    {
        var prefix = HostPrefixes.FirstOrDefault(p => key.StartsWith(p, StringComparison.OrdinalIgnoreCase));
        var name = prefix is null ? key : key[prefix.Length..];
        return ContractKeys.Contains(name, StringComparer.OrdinalIgnoreCase)
            || name.StartsWith("Gateway__", StringComparison.OrdinalIgnoreCase);
    }

    private static string FindAssembly()
    {
        // The tests run from tests/Gateway.IntegrationTests/bin/{Configuration}/{Framework}/.
        var frameworkDirectory = new DirectoryInfo(AppContext.BaseDirectory.TrimEnd(Path.DirectorySeparatorChar));
        var configuration = frameworkDirectory.Parent!.Name;
        var root = frameworkDirectory;
        while (root is not null && !File.Exists(Path.Combine(root.FullName, "MsaGateway.sln")))
        {
            root = root.Parent;
        }

        if (root is null)
        {
            throw new InvalidOperationException($"No MsaGateway.sln above {AppContext.BaseDirectory}.");
        }

        var path = Path.Combine(root.FullName, "src", "Gateway.Api", "bin", configuration, frameworkDirectory.Name, "Gateway.Api.dll");
        return File.Exists(path) ? path : throw new InvalidOperationException($"The gateway is not built: {path} is missing.");
    }
}
