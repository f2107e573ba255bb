namespace Gateway.IntegrationTests.Configuration;

/// <summary>The contract's "Traffic shaping" keys: a transform that would forge the gateway's own headers stops start-up.</summary>
public sealed partial class StartupValidationTests
{
    [Theory]
    [InlineData("RequestHeaders", "Set", "X-Forwarded-For", "203.0.113.1")]
    [InlineData("RequestHeaders", "Append", "X-Forwarded-For", "203.0.113.1")]
    [InlineData("ResponseHeaders", "Set", "X-Gateway-Instance", "10.0.0.1:80")]
    [InlineData("RequestHeaders", "Set", "Transfer-Encoding", "chunked")]
    [InlineData("RequestHeaders", "Set", "X-Tenant", "{Tenant}")]
    public async Task RegistryFile_TransformOfAHeaderItMayNotTouch_StopsStartupNamingKeyAndValue(
        string direction, string list, string header, string value)
    {
        var file = WriteRegistry($$"""
            { "users": { "Instances": [ { "Host": "localhost", "Port": 9001 } ],
              "Transforms": { "{{direction}}": { "{{list}}": { "{{header}}": "{{value}}" } } } } }
            """);

        var outcome = await RunAsync(new() { ["GATEWAY_REGISTRY_FILE"] = file });

        ShouldHaveRefused(outcome, $"users.Transforms.{direction}.{list}.{header}", value);
    }
}
