using Gateway.Api.Telemetry;

namespace Gateway.UnitTests.Api.Telemetry;

public sealed class MetricsOptionsValidationTests
{
    [Theory]
    [InlineData("System.Net.Http", null)]
    [InlineData("Microsoft.AspNetCore.Server.Kestrel", null)]
    [InlineData("my-meter_2", null)]
    [InlineData("System.Net.Http;rm", "METRICS_METERS: 'System.Net.Http;rm' is not a meter name such as System.Net.Http")]
    [InlineData("two words", "METRICS_METERS: 'two words' is not a meter name such as System.Net.Http")]
    public void Validate_MeterName_AcceptsDottedNamesOnly(string meter, string? failure)
    {
        var options = new MetricsOptions { Meters = new HashSet<string> { "System.Runtime", meter } };

        var result = new MetricsOptionsValidation().Validate(null, options);

        result.Failures.ShouldBe(failure is null ? null : [failure]);
    }

    [Fact]
    public void Validate_Defaults_Succeed()
    {
        var result = new MetricsOptionsValidation().Validate(null, new MetricsOptions());

        result.Succeeded.ShouldBeTrue();
    }
}
