using Gateway.Api.Hosting;

namespace Gateway.UnitTests.Api.Hosting;

public sealed class GatewayServerOptionsValidationTests
{
    private readonly GatewayServerOptionsValidation _validation = new();

    [Theory]
    [InlineData("0.0.0.0", null)]
    [InlineData("::", null)]
    [InlineData("[::1]", null)]
    [InlineData("localhost", null)]
    [InlineData("LocalHost", null)]
    [InlineData("not-an-ip", "GATEWAY_HOST: 'not-an-ip' is not an IP address or localhost")]
    [InlineData("gateway.example.com", "GATEWAY_HOST: 'gateway.example.com' is not an IP address or localhost")]
    [InlineData("10.0.0.256", "GATEWAY_HOST: '10.0.0.256' is not an IP address or localhost")]
    public void Validate_Host_AcceptsAddressesAndLocalhostOnly(string host, string? failure)
    {
        var options = new GatewayServerOptions { Host = host };

        var result = _validation.Validate(null, options);

        result.Failures.ShouldBe(failure is null ? null : [failure]);
    }

    [Theory]
    [InlineData("*", null)]
    [InlineData("https://app.example.com", null)]
    [InlineData("https://app.example.com/", null)]
    [InlineData("http://localhost:3000", null)]
    [InlineData("ftp://files.example", "CORS_ORIGINS: 'ftp://files.example' is not an origin such as https://app.example.com, or *")]
    [InlineData("https://app.example.com/path", "CORS_ORIGINS: 'https://app.example.com/path' is not an origin such as https://app.example.com, or *")]
    [InlineData("not a url", "CORS_ORIGINS: 'not a url' is not an origin such as https://app.example.com, or *")]
    public void Validate_CorsOrigin_AcceptsOriginsAndTheWildcardOnly(string origin, string? failure)
    {
        var options = new GatewayServerOptions { CorsOrigins = ["https://ok.example", origin] };

        var result = _validation.Validate(null, options);

        result.Failures.ShouldBe(failure is null ? null : [failure]);
    }

    [Theory]
    [InlineData(8080, 8081, null)]
    [InlineData(8080, null, null)]
    [InlineData(0, 0, null)]
    [InlineData(8080, 8080, "GATEWAY_H2C_PORT: '8080' is GATEWAY_PORT too: the two listeners need ports of their own")]
    public void Validate_H2cPort_MustDifferFromThePort(int port, int? h2cPort, string? failure)
    {
        var options = new GatewayServerOptions { Port = port, H2cPort = h2cPort };

        var result = _validation.Validate(null, options);

        result.Failures.ShouldBe(failure is null ? null : [failure]);
    }

    [Fact]
    public void Validate_SeveralRulesBroken_NamesEachInOrder()
    {
        var options = new GatewayServerOptions { Host = "anywhere", Port = 9000, H2cPort = 9000, CorsOrigins = ["a", "*", "b"] };

        var result = _validation.Validate(null, options);

        result.Failed.ShouldBeTrue();
        result.Failures.Select(failure => failure.Split(':')[0]).ShouldBe(
            ["GATEWAY_HOST", "GATEWAY_H2C_PORT", "CORS_ORIGINS", "CORS_ORIGINS"]);
    }
}
