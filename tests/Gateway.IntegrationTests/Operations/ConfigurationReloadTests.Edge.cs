using System.Net;
using System.Text.Json;

namespace Gateway.IntegrationTests.Operations;

/// <summary>Authentication and rate limits change with the registry file, without a restart.</summary>
public sealed partial class ConfigurationReloadTests
{
    [Fact]
    public async Task RegistryFile_EditAddingThenRemovingARateLimit_IsAppliedWithoutARestart()
    {
        var file = WriteRegistry(Registry(("svc", [_a])));
        await using var gateway = Gateway(file);
        using var client = gateway.CreateRawClient();

        File.WriteAllText(file, Limited(new { PermitsPerSecond = 0.001, Burst = 1 }));
        await ReloadedAsync(client, version: 2);
        using var admitted = await client.GetAsync("/svc/1");
        using var limited = await client.GetAsync("/svc/2");
        File.WriteAllText(file, Registry(("svc", [_a])));
        await ReloadedAsync(client, version: 3);
        using var open = await client.GetAsync("/svc/3");

        admitted.StatusCode.ShouldBe(HttpStatusCode.OK);
        limited.StatusCode.ShouldBe(HttpStatusCode.TooManyRequests);
        open.StatusCode.ShouldBe(HttpStatusCode.OK);
        open.Headers.Contains("RateLimit-Policy").ShouldBeFalse();
    }

    [Fact]
    public async Task RegistryFile_EditAddingAuth_IsApplied_AndABadOneIsKeptOutNamingTheKey()
    {
        var file = WriteRegistry(Registry(("svc", [_a])));
        await using var gateway = Gateway(file);
        using var client = gateway.CreateRawClient();

        File.WriteAllText(file, Secured(new { Type = "api_key", Keys = new[] { new { Name = "m", Sha256 = new string('0', 64) } } }));
        await ReloadedAsync(client, version: 2);
        using var refused = await client.GetAsync("/svc/1");
        File.WriteAllText(file, Secured(new { Type = "api_key" }));
        var error = (await RefusedAsync(client)).GetProperty("lastError").GetString();
        using var stillRefused = await client.GetAsync("/svc/2");

        refused.StatusCode.ShouldBe(HttpStatusCode.Unauthorized);
        error.ShouldNotBeNull().ShouldContain("svc.Auth.Keys");
        stillRefused.StatusCode.ShouldBe(HttpStatusCode.Unauthorized);
    }

    private string Limited(object rateLimit) => JsonSerializer.Serialize(new
    {
        svc = new { Instances = new[] { new { Host = "127.0.0.1", _a.Port } }, RateLimit = rateLimit },
    });

    private string Secured(object auth) => JsonSerializer.Serialize(new
    {
        svc = new { Instances = new[] { new { Host = "127.0.0.1", _a.Port } }, Auth = auth },
    });
}
