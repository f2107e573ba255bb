using Gateway.Api.Hosting;
using Gateway.Api.Logging;
using Gateway.Application.Forwarding;
using Gateway.Application.Health;
using Gateway.Application.Registration;
using Gateway.Infrastructure.Configuration;
using Gateway.Infrastructure.Http;
using Gateway.Infrastructure.Registry;
using Microsoft.Extensions.Configuration;
using static Gateway.UnitTests.TestSupport.RegistrySettings;

namespace Gateway.UnitTests.Infrastructure.Configuration;

/// <summary>Each gateway-wide setting through its options type's binder, then through the validation that reports what it could not read.</summary>
public sealed class BindingValidationTests
{
    [Theory]
    [InlineData("REQUEST_TIMEOUT", "abc", "REQUEST_TIMEOUT: 'abc' is not a number of seconds")]
    [InlineData("REQUEST_TIMEOUT", "0", "REQUEST_TIMEOUT: '0' is out of range: expected a number of seconds greater than 0 and at most 86400")]
    [InlineData("STREAM_IDLE_TIMEOUT", "forever", "STREAM_IDLE_TIMEOUT: 'forever' is not a number of seconds")]
    [InlineData("Gateway:Resilience:MaxAttempts", "11", "Gateway:Resilience:MaxAttempts: '11' is outside 1-10")]
    [InlineData("Gateway:Resilience:BreakSeconds", "3601", "Gateway:Resilience:BreakSeconds: '3601' is out of range: expected a number of seconds greater than 0 and at most 3600")]
    [InlineData("HEALTH_CHECK_INTERVAL", "-1", "HEALTH_CHECK_INTERVAL: '-1' is out of range: expected a number of seconds greater than 0 and at most 86400")]
    [InlineData("Gateway:HealthChecks:MaxConcurrentProbes", "0", "Gateway:HealthChecks:MaxConcurrentProbes: '0' is outside 1-1024")]
    [InlineData("Gateway:Registration:DrainTimeoutSeconds", "soon", "Gateway:Registration:DrainTimeoutSeconds: 'soon' is not a number of seconds")]
    [InlineData("GATEWAY_ADMIN_ALLOWED_NETWORKS", "10.0.0.1/8", "GATEWAY_ADMIN_ALLOWED_NETWORKS: '10.0.0.1/8' is not a network in CIDR notation (such as 10.0.0.0/8, with no bits set after the prefix) or an IP address")]
    [InlineData("GATEWAY_TRUSTED_PROXIES", "10.0.0.0/33", "GATEWAY_TRUSTED_PROXIES: '10.0.0.0/33' is not an address or a network in CIDR notation (such as 10.0.0.0/8)")]
    [InlineData("REGISTRY_STORE", "redis", "REGISTRY_STORE: 'redis' is not one of memory, etcd")]
    [InlineData("GATEWAY_PORT", "70000", "GATEWAY_PORT: '70000' is outside 1-65535")]
    [InlineData("GATEWAY_PORT", "abc", "GATEWAY_PORT: 'abc' is not a whole number")]
    [InlineData("MAX_REQUEST_BODY_SIZE", "-5", "MAX_REQUEST_BODY_SIZE: '-5' is below 0")]
    [InlineData("GATEWAY_TLS_KEY", "/tls/key.pem", "GATEWAY_TLS_KEY: '/tls/key.pem' is set without GATEWAY_TLS_CERT: HTTPS needs both the certificate and its key")]
    [InlineData("LOG_FORMAT", "xml", "LOG_FORMAT: 'xml' is not one of text, json")]
    public void Validate_UnreadableSetting_ReportsOneLineNamingKeyAndValue(string key, string value, string failure)
    {
        var failures = Failures((key, value));

        failures.ShouldBe([failure]);
    }

    [Theory]
    [InlineData("REQUEST_TIMEOUT", "2.5")]
    [InlineData("STREAM_IDLE_TIMEOUT", "86400")]
    [InlineData("Gateway:Resilience:MaxAttempts", "10")]
    [InlineData("HEALTH_CHECK_INTERVAL", "0.5")]
    [InlineData("Gateway:HealthChecks:MaxConcurrentProbes", "1024")]
    [InlineData("GATEWAY_ADMIN_ALLOWED_NETWORKS", "10.0.0.0/8, 192.168.1.7")]
    [InlineData("GATEWAY_TRUSTED_PROXIES", "::1")]
    [InlineData("REGISTRY_STORE", "ETCD")]
    [InlineData("GATEWAY_PORT", " 65535 ")]
    [InlineData("MAX_REQUEST_BODY_SIZE", "0")]
    [InlineData("LOG_LEVEL", "warn")]
    public void Validate_ReadableSetting_Succeeds(string key, string value)
    {
        var failures = Failures((key, value));

        failures.ShouldBeEmpty();
    }

    [Fact]
    public void Validate_SeveralUnreadableSettingsOfOneType_ReportsThemAllInOrder()
    {
        var failures = Failures(("REQUEST_TIMEOUT", "abc"), ("STREAM_IDLE_TIMEOUT", "0"));

        failures.Select(failure => failure.Split(':')[0]).ShouldBe(["REQUEST_TIMEOUT", "STREAM_IDLE_TIMEOUT"]);
    }

    /// <summary>What every options type's binding validation reports for the settings.</summary>
    private static List<string> Failures(params (string Key, string Value)[] settings)
    {
        var configuration = ConfigurationOf(settings);
        return
        [
            .. Of<ForwardingOptions>(ForwardingOptions.Bind),
            .. Of<ResilienceOptions>(ResilienceSettings.Bind),
            .. Of<HealthCheckOptions>(HealthCheckSettings.Bind),
            .. Of<RegistrationOptions>(RegistrationSettings.Bind),
            .. Of<EdgeOptions>(EdgeOptions.Bind),
            .. Of<RegistryStoreOptions>(RegistryStoreOptions.Bind),
            .. Of<GatewayServerOptions>(GatewayServerOptions.Bind),
            .. Of<LoggingOptions>(LoggingOptions.Bind),
        ];

        IEnumerable<string> Of<TOptions>(Action<TOptions, IConfiguration> bind)
            where TOptions : class, new()
        {
            var options = new TOptions();
            bind(options, configuration);
            return new BindingValidation<TOptions>().Validate(null, options).Failures ?? [];
        }
    }
}
