using Gateway.Application.Edge;

namespace Gateway.UnitTests.Application.Edge;

public sealed class PartitionKeyTests
{
    [Theory]
    [InlineData("client_ip", PartitionKind.ClientIp, null)]
    [InlineData("API_KEY", PartitionKind.ApiKey, null)]
    [InlineData("claim:sub", PartitionKind.Claim, "sub")]
    [InlineData("header:X-Tenant-Id", PartitionKind.Header, "X-Tenant-Id")]
    public void TryParse_ContractSpellings_Parse(string text, PartitionKind kind, string? name)
    {
        PartitionKey.TryParse(text, out var key).ShouldBeTrue();

        key.ShouldBe(new PartitionKey(kind, name));
    }

    [Theory]
    [InlineData("ip")]
    [InlineData("claim:")]
    [InlineData("cookie:session")]
    [InlineData(":x")]
    [InlineData(null)]
    public void TryParse_AnythingElse_Fails(string? text)
    {
        PartitionKey.TryParse(text, out _).ShouldBeFalse();
    }
}
