using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Text.Json;
using Gateway.IntegrationTests.Support;

namespace Gateway.IntegrationTests.Configuration;

/// <summary>
/// The contract's "Starting it" section, against the built gateway run as a child process the way an operator runs
/// it: a bad value stops start-up with a non-zero exit code and one line on standard error naming the key and value.
/// </summary>
public sealed partial class StartupValidationTests : IDisposable
{
    private static readonly TimeSpan Deadline = TimeSpan.FromSeconds(30);

    private readonly DirectoryInfo _directory = Directory.CreateTempSubdirectory("gateway-startup-");
    private readonly int _port = UnusedPort();

    public void Dispose() => _directory.Delete(recursive: true);

    [Theory]
    [InlineData("REQUEST_TIMEOUT", "abc")]
    [InlineData("REQUEST_TIMEOUT", "0")]
    [InlineData("REQUEST_TIMEOUT", "-3")]
    [InlineData("REQUEST_TIMEOUT", "86401")]
    [InlineData("STREAM_IDLE_TIMEOUT", "forever")]
    [InlineData("STREAM_IDLE_TIMEOUT", "0")]
    [InlineData("GATEWAY_PORT", "70000")]
    [InlineData("GATEWAY_PORT", "0")]
    [InlineData("GATEWAY_PORT", "abc")]
    [InlineData("GATEWAY_HOST", "not-an-ip")]
    [InlineData("LOG_LEVEL", "LOUD")]
    [InlineData("LOG_FORMAT", "xml")]
    [InlineData("MAX_REQUEST_BODY_SIZE", "-5")]
    [InlineData("MAX_REQUEST_BODY_SIZE", "lots")]
    [InlineData("CORS_ORIGINS", "not a url")]
    [InlineData("METRICS_METERS", "System.Net.Http;rm")]
    [InlineData("REGISTRY_STORE", "redis")]
    [InlineData("ETCD_ENDPOINTS", "ftp://etcd.internal:2379")]
    [InlineData("ETCD_PREFIX", "msa-gateway")]
    [InlineData("GATEWAY_MAX_CONNECTIONS", "-1")]
    [InlineData("GATEWAY_MAX_CONNECTIONS", "many")]
    [InlineData("GATEWAY_ADMIN_ALLOWED_NETWORKS", "10.0.0.0/33")]
    [InlineData("GATEWAY_ADMIN_ALLOWED_NETWORKS", "10.0.0.1/8")]
    [InlineData("GATEWAY_ADMIN_ALLOWED_NETWORKS", "intranet")]
    [InlineData("GATEWAY_TRUSTED_PROXIES", "10.0.0.0/33")]
    public async Task Setting_Invalid_StopsStartupWithOneLineNamingKeyAndValue(string key, string value)
    {
        var outcome = await RunAsync(new() { [key] = value });

        ShouldHaveRefused(outcome, key, value);
    }

    [Theory]
    [InlineData("GATEWAY_ADMIN_KEY")]
    [InlineData("GATEWAY_AFFINITY_KEY")]
    public async Task SecretKey_TooShort_StopsStartupNamingTheKeyButNotItsValue(string key)
    {
        var outcome = await RunAsync(new() { [key] = "guessable" });

        outcome.Exited.ShouldBeTrue(outcome.Description);
        outcome.ExitCode.ShouldNotBe(0, outcome.Description);
        var line = outcome.StandardError.Where(l => !string.IsNullOrWhiteSpace(l)).ToList().ShouldHaveSingleItem(outcome.Description);
        line.ShouldContain(key);
        line.ShouldNotContain("guessable", Case.Sensitive, "a secret is never echoed, even a bad one");
    }

    [Fact]
    public async Task Setting_InvalidOnTheCommandLine_StopsStartupWithOneLineNamingKeyAndValue()
    {
        var outcome = await RunAsync([], "--REQUEST_TIMEOUT=abc");

        ShouldHaveRefused(outcome, "REQUEST_TIMEOUT", "abc");
    }

    [Fact]
    public async Task Setting_OnTheCommandLine_WinsOverTheEnvironment()
    {
        var outcome = await RunAsync(new() { ["REQUEST_TIMEOUT"] = "abc" }, "--REQUEST_TIMEOUT=5");

        outcome.Exited.ShouldBeFalse($"The command line's valid value did not replace the environment's. {outcome.Description}");
    }

    [Fact]
    public async Task CorsOrigins_OneInvalidInTheList_StopsStartupNamingThatOrigin()
    {
        var outcome = await RunAsync(new() { ["CORS_ORIGINS"] = "https://app.example, ftp://files.example" });

        ShouldHaveRefused(outcome, "CORS_ORIGINS", "ftp://files.example");
    }

    [Fact]
    public async Task Settings_SeveralInvalidOfDifferentConcerns_AreAllNamedInOneLine()
    {
        var outcome = await RunAsync(new()
        {
            ["REQUEST_TIMEOUT"] = "abc",
            ["MAX_REQUEST_BODY_SIZE"] = "-5",
            ["LOG_LEVEL"] = "LOUD",
            ["GATEWAY_PORT"] = "70000",
        });

        outcome.Exited.ShouldBeTrue(outcome.Description);
        outcome.ExitCode.ShouldNotBe(0, outcome.Description);
        var line = outcome.StandardError.Where(l => !string.IsNullOrWhiteSpace(l)).ToList().ShouldHaveSingleItem(outcome.Description);
        line.ShouldContain("REQUEST_TIMEOUT: 'abc'");
        line.ShouldContain("MAX_REQUEST_BODY_SIZE: '-5'");
        line.ShouldContain("LOG_LEVEL: 'LOUD'");
        line.ShouldContain("GATEWAY_PORT: '70000'");
    }

    [Theory]
    [InlineData("""{ "health": { "Instances": [ { "Host": "localhost", "Port": 9001 } ] } }""", "health", "health")]
    [InlineData("""{ "services": { "Instances": [ { "Host": "localhost", "Port": 9001 } ] } }""", "services", "services")]
    [InlineData("""{ "admin": { "Instances": [ { "Host": "localhost", "Port": 9001 } ] } }""", "admin", "admin")]
    [InlineData("""{ "metrics": { "Instances": [ { "Host": "localhost", "Port": 9001 } ] } }""", "metrics", "metrics")]
    [InlineData("""{ "dashboard": { "Instances": [ { "Host": "localhost", "Port": 9001 } ] } }""", "dashboard", "dashboard")]
    [InlineData("""{ "bad name": { "Instances": [ { "Host": "localhost", "Port": 9001 } ] } }""", "bad name", "bad name")]
    [InlineData(
        """{ "user-service": { "Instances": [ { "Host": "localhost", "Port": 9001, "Scheme": "ftp" } ] } }""",
        "user-service.Instances[0].Scheme", "ftp")]
    [InlineData(
        """{ "user-service": { "Instances": [ { "Host": "localhost", "Port": 70000 } ] } }""",
        "user-service.Instances[0].Port", "70000")]
    [InlineData(
        """{ "user-service": { "instances": [ { "host": "localhost", "port": 70000 } ] } }""",
        "user-service.instances[0].port", "70000")]
    [InlineData(
        """{ "user-service": { "Instances": [ { "Host": "localhost", "Port": 9001, "Weight": 0 } ] } }""",
        "user-service.Instances[0].Weight", "0")]
    [InlineData(
        """{ "user-service": { "LoadBalancer": "fastest", "Instances": [ { "Host": "localhost", "Port": 9001 } ] } }""",
        "user-service.LoadBalancer", "fastest")]
    [InlineData(
        """{ "user-service": { "Instances": [ { "Host": "localhost", "Port": 9001 }, { "Host": "localhost", "Port": 9001 } ] } }""",
        "user-service.Instances[1]", "localhost:9001")]
    [InlineData(
        """{ "orders": { "Instances": [ { "Host": "localhost", "Port": 9001 } ], "Auth": { "Type": "oauth" } } }""",
        "orders.Auth.Type", "oauth")]
    [InlineData(
        """{ "orders": { "Instances": [ { "Host": "localhost", "Port": 9001 } ], "Auth": { "Type": "jwt", "Issuer": "i", "Audiences": ["a"], "JwksUrl": "http://127.0.0.1:9/jwks", "Algorithms": ["none"] } } }""",
        "orders.Auth.Algorithms", "none")]
    [InlineData(
        """{ "orders": { "Instances": [ { "Host": "localhost", "Port": 9001 } ], "RateLimit": { "PermitsPerSecond": 5, "PartitionBy": "cookie" } } }""",
        "orders.RateLimit.PartitionBy", "cookie")]
    [InlineData(
        """{ "users": { "Instances": [ { "Host": "localhost", "Port": 9001, "Version": "1" } ], "Split": { "Weights": { "1": -5 } } } }""",
        "users.Split.Weights.1", "-5")]
    [InlineData(
        """{ "users": { "Instances": [ { "Host": "localhost", "Port": 9001, "Version": "1" } ], "Split": { "Weights": { "1": 5 }, "StickyBy": "session" } } }""",
        "users.Split.StickyBy", "session")]
    [InlineData(
        """{ "users": { "Instances": [ { "Host": "localhost", "Port": 9001, "Version": "v 1" } ] } }""",
        "users.Instances[0].Version", "v 1")]
    public async Task RegistryFile_Invalid_StopsStartupWithOneLineNamingKeyAndValue(string json, string key, string value)
    {
        var file = WriteRegistry(json);

        var outcome = await RunAsync(new() { ["GATEWAY_REGISTRY_FILE"] = file });

        ShouldHaveRefused(outcome, key, value);
    }

    [Theory]
    [InlineData("127.0.0.1")]
    [InlineData("localhost")]
    public async Task RegistryFile_InstanceAtTheGatewaysOwnAddress_StopsStartupWithOneLineNamingIt(string host)
    {
        var file = WriteRegistry($$"""{ "loop": { "Instances": [ { "Host": "{{host}}", "Port": {{_port}} } ] } }""");

        var outcome = await RunAsync(new() { ["GATEWAY_REGISTRY_FILE"] = file });

        ShouldHaveRefused(outcome, "loop.Instances[0]", $"{host}:{_port}");
    }

    [Fact]
    public async Task RegistryFile_Missing_StopsStartupWithOneLineNamingKeyAndPath()
    {
        var file = Path.Combine(_directory.FullName, "missing.json");

        var outcome = await RunAsync(new() { ["GATEWAY_REGISTRY_FILE"] = file });

        ShouldHaveRefused(outcome, "GATEWAY_REGISTRY_FILE", file);
    }

    [Fact]
    public async Task RegistryFile_NotJson_StopsStartupWithOneLineNamingKeyAndPath()
    {
        var file = WriteRegistry("""{ "user-service": { "Instances": [ """);

        var outcome = await RunAsync(new() { ["GATEWAY_REGISTRY_FILE"] = file });

        ShouldHaveRefused(outcome, "GATEWAY_REGISTRY_FILE", file);
    }

    [Fact]
    public async Task RegistryFile_Malformed_NamesTheLineAndColumnOfTheMistake()
    {
        var file = WriteRegistry("{\n  \"user-service\": {\n    \"Instances\": [ ],,\n  }\n}\n");

        var outcome = await RunAsync(new() { ["GATEWAY_REGISTRY_FILE"] = file });

        ShouldHaveRefused(outcome, "GATEWAY_REGISTRY_FILE", file);
        outcome.ExitCode.ShouldBe(78);
        outcome.StandardError.Single(l => l.Length > 0).ShouldContain("line 3, column 22");
    }

    [Fact]
    public async Task AppSettings_Malformed_StopsStartupWithOneLineNamingFileLineAndColumn()
    {
        var appSettings = Path.Combine(_directory.FullName, "appsettings.json");
        File.WriteAllText(appSettings, "{\n  \"Logging\": { \"LogLevel\": { \"Default\": \"Information\" } }\n  \"Gateway\": {}\n}\n");

        // The content root is where the host reads appsettings.json from.
        var outcome = await RunAsync([], $"--contentRoot={_directory.FullName}");

        outcome.Exited.ShouldBeTrue(outcome.Description);
        outcome.ExitCode.ShouldBe(78, outcome.Description);
        var line = outcome.StandardError.Where(l => !string.IsNullOrWhiteSpace(l)).ToList().ShouldHaveSingleItem(outcome.Description);
        line.ShouldContain(appSettings);
        line.ShouldContain("line 3, column 3");
    }

    [Fact]
    public async Task Port_InUse_StopsStartupWithOneLineBeforeProbingAnyInstance()
    {
        using var occupant = new TcpListener(IPAddress.Loopback, _port);
        occupant.Start();
        // An instance that counts the connections made to it: a health probe would be one.
        using var instance = new TcpListener(IPAddress.Loopback, 0);
        instance.Start();
        var file = WriteRegistry($$"""{ "user-service": { "Instances": [ { "Host": "127.0.0.1", "Port": {{((IPEndPoint)instance.LocalEndpoint).Port}} } ] } }""");

        await using var gateway = GatewayProcess.Start(EnvironmentWith(new() { ["GATEWAY_REGISTRY_FILE"] = file }));
        var exited = await gateway.WaitForExitAsync(Deadline);

        exited.ShouldBeTrue(Describe(gateway));
        gateway.ExitCode.ShouldBe(78, Describe(gateway));
        var line = gateway.StandardError.Where(l => !string.IsNullOrWhiteSpace(l)).ToList().ShouldHaveSingleItem(Describe(gateway));
        line.ShouldContain($"127.0.0.1:{_port}");
        line.ShouldContain("GATEWAY_PORT");
        gateway.StandardOutput.ShouldNotContain(l => l.Contains("   at ", StringComparison.Ordinal), "a stack trace was written");
        instance.Pending().ShouldBeFalse("the gateway probed an instance although it could not listen");
    }

    [Fact]
    public async Task Startup_Succeeded_LogsOneSummaryLine()
    {
        var file = WriteRegistry("""
            {
              "user-service": { "Instances": [ { "Host": "127.0.0.1", "Port": 9001 }, { "Host": "127.0.0.1", "Port": 9002 } ] },
              "order-service": { "Instances": [ { "Host": "127.0.0.1", "Port": 9003 } ] }
            }
            """);
        await using var gateway = GatewayProcess.Start(EnvironmentWith(new()
        {
            ["GATEWAY_REGISTRY_FILE"] = file,
            ["GATEWAY_ADMIN_KEY"] = "a-key-long-enough-to-guard-it",
        }));

        await Eventually.TrueAsync(
            () => gateway.HasExited || gateway.StandardOutput.Any(l => l.Contains("MSA Gateway listening", StringComparison.Ordinal)),
            Deadline,
            "the start-up summary");

        gateway.HasExited.ShouldBeFalse(Describe(gateway));
        var summary = gateway.StandardOutput.Single(l => l.Contains("MSA Gateway listening", StringComparison.Ordinal));
        summary.ShouldContain($"http://127.0.0.1:{_port}");
        summary.ShouldContain(Path.GetFullPath(file));
        summary.ShouldContain("2 services, 3 instances");
        summary.ShouldContain("admin API on");
        summary.ShouldContain("registry store memory");
        summary.ShouldContain("TLS off");
        summary.ShouldNotContain("a-key-long-enough-to-guard-it");
    }

    [Fact]
    public async Task Registry_InvalidValueFromDoubleUnderscoreEnvironmentVariable_StopsStartupNamingTheServicePath()
    {
        // appsettings.json next to the gateway defines user-service; the environment overrides one of its ports.
        var outcome = await RunAsync(new() { ["Gateway__Services__user-service__Instances__0__Port"] = "70000" });

        ShouldHaveRefused(outcome, "user-service.Instances[0].Port", "70000");
    }

    [Fact]
    public async Task RegistryFile_SeedSnakeCase_LoadsAndReplacesAppSettingsRegistry()
    {
        // The original gateway's DEFAULT_SERVICE_REGISTRY, with its run-time fields, plus a second service.
        var file = WriteRegistry("""
            {
              "user-service": {
                "instances": [
                  { "host": "localhost", "port": 8001, "health": true, "weight": 1 },
                  { "host": "localhost", "port": 8002, "health": true, "weight": 1 }
                ],
                "load_balancer": "round_robin",
                "current_index": 0,
                "health_check_path": "/health"
              },
              "catalog-service": {
                "instances": [ { "host": "127.0.0.1", "port": 9003, "health": false, "weight": 3, "scheme": "https" } ],
                "load_balancer": "least_connections",
                "current_index": 0,
                "health_check_path": "/ping"
              }
            }
            """);
        await using var gateway = GatewayProcess.Start(EnvironmentWith(new() { ["GATEWAY_REGISTRY_FILE"] = file }));
        using var client = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{_port}"), Timeout = TimeSpan.FromSeconds(5) };
        string? services = null;

        await Eventually.TrueAsync(
            async () => gateway.HasExited || (services = await TryGetAsync(client, "/services")) is not null,
            Deadline,
            "the gateway to answer GET /services");

        gateway.HasExited.ShouldBeFalse(Describe(gateway));
        using var document = JsonDocument.Parse(services!);
        var list = document.RootElement.GetProperty("services").EnumerateArray().ToList();
        list.Select(s => s.GetProperty("name").GetString()).ShouldBe(["catalog-service", "user-service"], ignoreOrder: true);
        var user = list.Single(s => s.GetProperty("name").GetString() == "user-service");
        user.GetProperty("loadBalancer").GetString().ShouldBe("round_robin");
        user.GetProperty("healthCheckPath").GetString().ShouldBe("/health");
        user.GetProperty("instances").EnumerateArray().Select(i => i.GetProperty("id").GetString()).ShouldBe(["localhost:8001", "localhost:8002"]);
        var catalog = list.Single(s => s.GetProperty("name").GetString() == "catalog-service");
        catalog.GetProperty("loadBalancer").GetString().ShouldBe("least_connections");
        catalog.GetProperty("healthCheckPath").GetString().ShouldBe("/ping");
        var instance = catalog.GetProperty("instances").EnumerateArray().ShouldHaveSingleItem();
        instance.GetProperty("id").GetString().ShouldBe("127.0.0.1:9003");
        instance.GetProperty("weight").GetInt32().ShouldBe(3);
        instance.GetProperty("scheme").GetString().ShouldBe("https");
    }

    [Theory]
    [InlineData(
        "REQUEST_TIMEOUT=86400", "HEALTH_CHECK_INTERVAL=86400", "LOG_LEVEL=warn", "LOG_FORMAT=JSON", "MAX_REQUEST_BODY_SIZE=0",
        "CORS_ORIGINS=https://app.example, http://admin.example:8080")]
    [InlineData(
        "REQUEST_TIMEOUT=0.5", "HEALTH_CHECK_INTERVAL=0.5", "LOG_LEVEL=INFO", "LOG_FORMAT=text", "MAX_REQUEST_BODY_SIZE=1",
        "CORS_ORIGINS=*", "METRICS_METERS=MsaGateway")]
    [InlineData("METRICS_METERS=System.Runtime, Microsoft.AspNetCore.Hosting,System.Net.Http")]
    [InlineData("LOG_LEVEL=DEBUG")]
    [InlineData("LOG_LEVEL=Verbose")]
    [InlineData("LOG_LEVEL=error")]
    [InlineData("LOG_LEVEL=Fatal")]
    public async Task Settings_ValidValues_AreAcceptedAndTheGatewayServes(params string[] settings)
    {
        var outcome = await RunAsync(settings.Select(s => s.Split('=', 2)).ToDictionary(kv => kv[0], kv => kv[1]));

        outcome.Exited.ShouldBeFalse($"The gateway refused a valid configuration. {outcome.Description}");
    }

    [Fact]
    public async Task LogFormat_Json_WritesOneJsonObjectPerLine()
    {
        await using var gateway = GatewayProcess.Start(EnvironmentWith(new() { ["LOG_FORMAT"] = "json", ["LOG_LEVEL"] = "Information" }));

        await Eventually.TrueAsync(() => gateway.HasExited || gateway.StandardOutput.Count > 0, Deadline, "the gateway to log");

        gateway.HasExited.ShouldBeFalse(Describe(gateway));
        foreach (var line in gateway.StandardOutput.Where(l => l.Length > 0))
        {
            using var entry = JsonDocument.Parse(line);
            entry.RootElement.ValueKind.ShouldBe(JsonValueKind.Object, line);
        }
    }

    // Kept apart from the settings above: HEALTH_CHECK_INTERVAL is validated by the health-check worker's options, and
    // without that worker the gateway ignores the setting and starts, which these cases then report.
    [Theory]
    [InlineData("HEALTH_CHECK_INTERVAL", "-1")]
    [InlineData("HEALTH_CHECK_INTERVAL", "0")]
    [InlineData("HEALTH_CHECK_INTERVAL", "86401")]
    [InlineData("HEALTH_CHECK_INTERVAL", "often")]
    public async Task HealthCheckInterval_Invalid_StopsStartupWithOneLineNamingKeyAndValue(string key, string value)
    {
        var outcome = await RunAsync(new() { [key] = value });

        ShouldHaveRefused(outcome, key, value);
    }

    /// <summary>
    /// Runs the gateway until it exits or, having accepted its configuration, answers on its port (killing it then),
    /// so that a value it wrongly accepts fails the test at once instead of at the deadline.
    /// </summary>
    private async Task<StartupOutcome> RunAsync(Dictionary<string, string> settings, params string[] arguments)
    {
        await using var gateway = GatewayProcess.Start(EnvironmentWith(settings), arguments);
        using var client = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{_port}"), Timeout = TimeSpan.FromSeconds(5) };

        // The port was free when the test chose it, but another test's server may have taken it since: only an
        // answer from this process (its start time, as GET / reports it) counts as this gateway having started.
        await Eventually.TrueAsync(
            async () => gateway.HasExited || await TryGetAsync(client, "/") is { } root && IsStartOf(gateway, StartedAt(root)),
            Deadline,
            "the gateway to exit or answer");

        // After an exit, this lets the reading of its output catch up.
        var exited = gateway.HasExited && await gateway.WaitForExitAsync(Deadline);
        return new StartupOutcome(exited, exited ? gateway.ExitCode : null, gateway.StandardError, Describe(gateway));
    }

    /// <summary>A test's settings on top of a baseline that keeps the gateway on loopback and a free port.</summary>
    private Dictionary<string, string> EnvironmentWith(Dictionary<string, string> settings)
    {
        var environment = new Dictionary<string, string>(StringComparer.Ordinal)
        {
            ["GATEWAY_HOST"] = "127.0.0.1",
            ["GATEWAY_PORT"] = _port.ToString(CultureInfo.InvariantCulture),
        };
        foreach (var (key, value) in settings)
        {
            environment[key] = value;
        }

        return environment;
    }

    private static void ShouldHaveRefused(StartupOutcome outcome, string key, string value)
    {
        outcome.Exited.ShouldBeTrue($"The gateway started instead of refusing its configuration. {outcome.Description}");
        outcome.ExitCode.ShouldNotBe(0, outcome.Description);
        var line = outcome.StandardError.Where(l => !string.IsNullOrWhiteSpace(l)).ToList().ShouldHaveSingleItem(outcome.Description);
        line.ShouldContain(key, Case.Sensitive);
        // The value is named after the key, so that "0" is not found in, say, "Instances[0]".
        line[(line.IndexOf(key, StringComparison.Ordinal) + key.Length)..].ShouldContain(value, Case.Sensitive);
    }

    /// <summary>Each process works the start time out from the boot time it reads itself, so they differ by a little.</summary>
    private static bool IsStartOf(GatewayProcess gateway, DateTimeOffset? startedAt) =>
        startedAt is { } at && (at - gateway.StartedAt).Duration() < TimeSpan.FromSeconds(1);

    private static DateTimeOffset? StartedAt(string root)
    {
        try
        {
            using var document = JsonDocument.Parse(root);
            return document.RootElement.TryGetProperty("startedAt", out var startedAt) ? startedAt.GetDateTimeOffset() : null;
        }
        catch (JsonException)
        {
            return null;
        }
    }

    private static async Task<string?> TryGetAsync(HttpClient client, string path)
    {
        try
        {
            using var response = await client.GetAsync(path);
            return response.IsSuccessStatusCode ? await response.Content.ReadAsStringAsync() : null;
        }
        catch (Exception error) when (error is HttpRequestException or TaskCanceledException)
        {
            return null;
        }
    }

    private static string Describe(GatewayProcess gateway) =>
        $"Exited: {gateway.HasExited}. Standard error:\n{string.Join('\n', gateway.StandardError)}\n"
        + $"Standard output:\n{string.Join('\n', gateway.StandardOutput)}";

    private string WriteRegistry(string json)
    {
        var file = Path.Combine(_directory.FullName, $"registry-{Guid.NewGuid():N}.json");
        File.WriteAllText(file, json);
        return file;
    }

    private static int UnusedPort()
    {
        var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        var port = ((IPEndPoint)listener.LocalEndpoint).Port;
        listener.Stop();
        return port;
    }

    /// <summary>How a start ended: whether the process exited (rather than started serving), and what it said.</summary>
    private sealed record StartupOutcome(bool Exited, int? ExitCode, IReadOnlyList<string> StandardError, string Description);
}
