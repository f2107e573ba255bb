using Gateway.Api.Registry;

namespace Gateway.UnitTests.Api.Registry;

public sealed class AdminOptionsValidationTests
{
    [Theory]
    [InlineData(null, null)]
    [InlineData("0123456789abcdef", null)]
    [InlineData("a much longer admin key than that", null)]
    [InlineData("0123456789abcde", "GATEWAY_ADMIN_KEY: a key of 15 characters is too short (at least 16)")]
    [InlineData("guessable", "GATEWAY_ADMIN_KEY: a key of 9 characters is too short (at least 16)")]
    public void Validate_Key_RefusesShortKeysWithoutShowingThem(string? key, string? failure)
    {
        var options = new AdminOptions { Key = key };

        var result = new AdminOptionsValidation().Validate(null, options);

        result.Failures.ShouldBe(failure is null ? null : [failure]);
    }
}
