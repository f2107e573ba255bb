using System.Text.Json;

namespace Gateway.IntegrationTests.Operations;

/// <summary>Affinity and transforms change with the registry file, and a bad one is kept out like any bad edit.</summary>
public sealed partial class ConfigurationReloadTests
{
    [Fact]
    public async Task RegistryFile_EditAddingTransformsAndAffinity_IsAppliedWithoutARestart()
    {
        var file = WriteRegistry(Registry(("svc", [_a])));
        await using var gateway = Gateway(file);
        using var client = gateway.CreateRawClient();
        using (var before = await client.GetAsync("/svc/x"))
        {
            before.Headers.Contains("Set-Cookie").ShouldBeFalse();
        }

        File.WriteAllText(file, Shaped("X-From-Gateway", "yes"));
        await ReloadedAsync(client, version: 2);
        using var after = await client.GetAsync("/svc/x");

        after.Headers.GetValues("Set-Cookie").ShouldHaveSingleItem().ShouldStartWith("GW-Affinity=");
        var received = _a.Received.Last();
        received.RawTarget.ShouldBe("/api/x");
        received.Headers["X-From-Gateway"].ShouldBe(["yes"]);
    }

    [Theory]
    [InlineData("X-Forwarded-For", "203.0.113.1")]
    [InlineData("X-Gateway-Instance", "10.0.0.1:80")]
    public async Task RegistryFile_EditForgingTheGatewaysHeaders_IsKeptOutNamingKeyAndValue(string header, string value)
    {
        var file = WriteRegistry(Registry(("svc", [_a])));
        await using var gateway = Gateway(file);
        using var client = gateway.CreateRawClient();

        File.WriteAllText(file, Shaped(header, value));
        var refused = await RefusedAsync(client);
        using var response = await client.GetAsync("/svc/x");

        var error = refused.GetProperty("lastError").GetString().ShouldNotBeNull();
        error.ShouldContain($"svc.Transforms.RequestHeaders.Set.{header}: '{value}'");
        _a.Received.Last().RawTarget.ShouldBe("/x", "the running configuration stays as it was");
        response.Headers.Contains("Set-Cookie").ShouldBeFalse();
    }

    private string Shaped(string header, string value) => JsonSerializer.Serialize(new
    {
        svc = new
        {
            Instances = new[] { new { Host = "127.0.0.1", _a.Port } },
            Affinity = new { Cookie = "GW-Affinity" },
            Transforms = new
            {
                RequestHeaders = new { Set = new Dictionary<string, string> { [header] = value } },
                PathPrefix = "/api",
            },
        },
    });
}
