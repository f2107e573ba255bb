using System.Globalization;
using System.Net.Http.Json;
using System.Text.Json;
using Gateway.IntegrationTests.Support;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;

namespace Gateway.IntegrationTests.Operations;

/// <summary>
/// Edits of the registry file and of appsettings.json reach the running gateway without a restart; a bad edit is kept
/// out and named. The in-process gateway polls on a fake clock, moved by the tests; the child-process one on the real one.
/// </summary>
public sealed partial class ConfigurationReloadTests : IAsyncLifetime
{
    private static readonly TimeSpan Deadline = TimeSpan.FromSeconds(30);
    private static readonly TimeSpan Poll = TimeSpan.FromMilliseconds(500);

    private readonly FakeTimeProvider _clock = new(new DateTimeOffset(2026, 1, 1, 0, 0, 0, TimeSpan.Zero));
    private readonly DirectoryInfo _directory = Directory.CreateTempSubdirectory("gateway-reload-");
    private TestBackend _a = null!;
    private TestBackend _b = null!;

    public async Task InitializeAsync()
    {
        _a = await TestBackend.StartAsync("a");
        _b = await TestBackend.StartAsync("b");
    }

    public async Task DisposeAsync()
    {
        await _a.DisposeAsync();
        await _b.DisposeAsync();
        _directory.Delete(recursive: true);
    }

    [Fact]
    public async Task RegistryFile_ValidEdit_IsApplied_AndAnInstanceThatStaysKeepsItsHealth()
    {
        _a.ProbeHandler = context =>
        {
            context.Response.StatusCode = StatusCodes.Status500InternalServerError;
            return Task.CompletedTask;
        };
        var file = WriteRegistry(Registry(("svc", [_a])));
        await using var gateway = Gateway(file);
        using var client = gateway.CreateRawClient();
        await Eventually.TrueAsync(async () => !await ServicesView.IsHealthyAsync(client, "svc", _a.Port), Deadline, "a to fail its check");
        var before = await ServicesView.InstanceAsync(client, "svc", _a.Port);

        File.WriteAllText(file, Registry(("svc", [_a, _b]), ("other", [_b])));
        var config = await ReloadedAsync(client, version: 2);

        config.GetProperty("lastError").ValueKind.ShouldBe(JsonValueKind.Null);
        var after = await ServicesView.InstanceAsync(client, "svc", _a.Port);
        after.GetProperty("healthy").GetBoolean().ShouldBeFalse("a reload must not forget what the checks found");
        after.GetProperty("healthChangedAt").GetDateTimeOffset().ShouldBe(before.GetProperty("healthChangedAt").GetDateTimeOffset());
        (await ServicesView.IsHealthyAsync(client, "svc", _b.Port)).ShouldBeTrue();
        (await AnsweredByAsync(client, "/svc/x")).ShouldBe("b");
        (await AnsweredByAsync(client, "/other/x")).ShouldBe("b");
    }

    [Fact]
    public async Task RegistryFile_MalformedEdit_IsKeptOutAndNamedWithLineAndColumn_ThenAFixIsApplied()
    {
        var file = WriteRegistry(Registry(("svc", [_a])));
        await using var gateway = Gateway(file);
        using var client = gateway.CreateRawClient();
        (await AnsweredByAsync(client, "/svc/x")).ShouldBe("a");

        File.WriteAllText(file, "{\n  \"svc\": { \"Instances\": [ { \"Host\": \"127.0.0.1\" \"Port\": 1 } ] }\n}\n");
        var refused = await RefusedAsync(client);

        refused.GetProperty("version").GetInt32().ShouldBe(1);
        refused.GetProperty("lastError").GetString().ShouldNotBeNull().ShouldContain("line 2, column");
        (await AnsweredByAsync(client, "/svc/x")).ShouldBe("a");

        File.WriteAllText(file, Registry(("svc", [_b])));
        await ReloadedAsync(client, version: 2);
        (await AnsweredByAsync(client, "/svc/x")).ShouldBe("b");
    }

    [Fact]
    public async Task RegistryFile_EditWithAnInvalidValue_IsKeptOutNamingKeyAndValue()
    {
        var file = WriteRegistry(Registry(("svc", [_a])));
        await using var gateway = Gateway(file);
        using var client = gateway.CreateRawClient();
        (await AnsweredByAsync(client, "/svc/x")).ShouldBe("a");

        File.WriteAllText(file, """{ "svc": { "Instances": [ { "Host": "127.0.0.1", "Port": 70000 } ] } }""");
        var refused = await RefusedAsync(client);

        refused.GetProperty("lastError").GetString().ShouldNotBeNull().ShouldContain("svc.Instances[0].Port");
        refused.GetProperty("lastError").GetString().ShouldNotBeNull().ShouldContain("70000");
        (await AnsweredByAsync(client, "/svc/x")).ShouldBe("a");
    }

    [Fact]
    public async Task AppSettings_Edit_IsAppliedWithinSeconds_AndAPortChangeIsReportedAsNeedingARestart()
    {
        var port = Ports.Unused();
        var appSettings = Path.Combine(_directory.FullName, "appsettings.json");
        File.WriteAllText(appSettings, AppSettings(port, _a));
        await using var gateway = GatewayProcess.Start(
            new Dictionary<string, string> { ["GATEWAY_HOST"] = "127.0.0.1" }, $"--contentRoot={_directory.FullName}");
        using var client = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{port}"), Timeout = TimeSpan.FromSeconds(10) };
        await Eventually.TrueAsync(async () => gateway.HasExited || await TryAnsweredByAsync(client) == "a", Deadline, "the gateway to forward to a");
        gateway.HasExited.ShouldBeFalse(string.Join('\n', gateway.StandardError));

        File.WriteAllText(appSettings, AppSettings(port + 1, _b));

        await Eventually.TrueAsync(async () => await TryAnsweredByAsync(client) == "b", Deadline, "the edit to reach the gateway");
        await Eventually.TrueAsync(
            () => Task.FromResult(gateway.StandardOutput.Any(line => line.Contains("GATEWAY_PORT changed", StringComparison.Ordinal))),
            Deadline,
            "the port change to be reported");
        gateway.StandardOutput.Single(line => line.Contains("GATEWAY_PORT changed", StringComparison.Ordinal)).ShouldContain("next start");
    }

    private GatewayFactory Gateway(string registryFile) => new GatewayFactory()
        .With("GATEWAY_REGISTRY_FILE", registryFile)
        .WithServices(services => services.AddSingleton<TimeProvider>(_clock));

    /// <summary>Moves the clock a poll at a time until /services shows the configuration version.</summary>
    private async Task<JsonElement> ReloadedAsync(HttpClient client, int version)
    {
        JsonElement config = default;
        await Eventually.TrueAsync(
            async () =>
            {
                _clock.Advance(Poll);
                config = await ConfigAsync(client);
                return config.GetProperty("version").GetInt32() == version;
            },
            Deadline,
            $"configuration version {version}");
        return config;
    }

    private async Task<JsonElement> RefusedAsync(HttpClient client)
    {
        JsonElement config = default;
        await Eventually.TrueAsync(
            async () =>
            {
                _clock.Advance(Poll);
                config = await ConfigAsync(client);
                return config.GetProperty("lastError").ValueKind == JsonValueKind.String;
            },
            Deadline,
            "the edit to be refused");
        return config;
    }

    private static async Task<JsonElement> ConfigAsync(HttpClient client)
    {
        using var services = await client.GetFromJsonAsync<JsonDocument>("/services");
        return services!.RootElement.GetProperty("config").Clone();
    }

    private static async Task<string?> AnsweredByAsync(HttpClient client, string path)
    {
        using var response = await client.GetAsync(path);
        return response.Headers.TryGetValues("X-Backend", out var backend) ? backend.Single() : $"{(int)response.StatusCode}";
    }

    private static async Task<string?> TryAnsweredByAsync(HttpClient client)
    {
        try
        {
            return await AnsweredByAsync(client, "/svc/x");
        }
        catch (Exception error) when (error is HttpRequestException or TaskCanceledException)
        {
            return null;
        }
    }

    private string WriteRegistry(string json)
    {
        var file = Path.Combine(_directory.FullName, "registry.json");
        File.WriteAllText(file, json);
        return file;
    }

    private static string Registry(params (string Name, TestBackend[] Backends)[] services) =>
        JsonSerializer.Serialize(services.ToDictionary(
            service => service.Name,
            service => new { Instances = service.Backends.Select(backend => new { Host = "127.0.0.1", backend.Port }) }));

    private static string AppSettings(int port, TestBackend backend) => $$"""
        {
          "GATEWAY_PORT": "{{port.ToString(CultureInfo.InvariantCulture)}}",
          "Gateway": { "Services": { "svc": { "Instances": [ { "Host": "127.0.0.1", "Port": {{backend.Port}} } ] } } }
        }
        """;
}
