using Gateway.Infrastructure.Configuration;

namespace Gateway.UnitTests.Infrastructure.Configuration;

public sealed class AffinityOptionsValidationTests
{
    [Theory]
    [InlineData(null, null)]
    [InlineData("shared by every replica", null)]
    [InlineData("0123456789abcdef", null)]
    [InlineData("short-secret", "GATEWAY_AFFINITY_KEY: a key of 12 characters is too short (at least 16)")]
    [InlineData("ключ-affinity", "GATEWAY_AFFINITY_KEY: a key of 13 characters is too short (at least 16)")]
    public void Validate_Key_RefusesShortKeysWithoutShowingThem(string? key, string? failure)
    {
        var options = new AffinityOptions { Key = key };

        var result = new AffinityOptionsValidation().Validate(null, options);

        result.Failures.ShouldBe(failure is null ? null : [failure]);
    }
}
