using Gateway.Application.Registration;
using Gateway.Domain;
using Gateway.Infrastructure.Configuration;
using Gateway.UnitTests.TestSupport;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Options;

namespace Gateway.UnitTests.Domain;

public sealed class InstanceRulesTests
{
    [Theory]
    [InlineData("localhost", true)]
    [InlineData("user-service", true)]
    [InlineData("my_host", true)]
    [InlineData("api.example.com", true)]
    [InlineData("127.0.0.1", true)]
    [InlineData("::1", true)]
    [InlineData("[::1]", true)]
    [InlineData("[2001:db8::1]", true)]
    [InlineData(null, false)]
    [InlineData("", false)]
    [InlineData("   ", false)]
    [InlineData("local host", false)]
    [InlineData("localhost/api", false)]
    [InlineData("http://localhost", false)]
    [InlineData("localhost?x=1", false)]
    [InlineData("localhost#top", false)]
    [InlineData("user@localhost", false)]
    [InlineData("localhost:8001", false)]
    [InlineData("[::1", false)]
    [InlineData("::1]", false)]
    [InlineData("[localhost]", false)]
    [InlineData("local%host", false)]
    [InlineData("-leading-hyphen", false)]
    [InlineData("a..b", false)]
    public void IsHost_Value_IsAHostNameOrAddressOrNot(string? host, bool expected) =>
        InstanceRules.IsHost(host).ShouldBe(expected);

    [Theory]
    [InlineData(0, false)]
    [InlineData(1, true)]
    [InlineData(65535, true)]
    [InlineData(65536, false)]
    [InlineData(-1, false)]
    public void IsPort_Value_IsWithinOneTo65535(int port, bool expected) => InstanceRules.IsPort(port).ShouldBe(expected);

    [Theory]
    [InlineData(0, false)]
    [InlineData(-5, false)]
    [InlineData(1, true)]
    [InlineData(10_001, true)]
    [InlineData(int.MaxValue, true)]
    public void IsWeight_Value_IsAtLeastOneWithNoUpperLimit(int weight, bool expected) => InstanceRules.IsWeight(weight).ShouldBe(expected);

    [Theory]
    [InlineData("http", true)]
    [InlineData("https", true)]
    [InlineData("h2c", true)]
    [InlineData("HTTP", false)] // callers lower-case first
    [InlineData("ftp", false)]
    [InlineData("", false)]
    [InlineData(null, false)]
    public void IsScheme_Value_IsOneAnInstanceMayHave(string? scheme, bool expected) => InstanceRules.IsScheme(scheme).ShouldBe(expected);

    [Theory]
    [InlineData("/health", true)]
    [InlineData("/", true)]
    [InlineData("health", false)]
    [InlineData("", false)]
    [InlineData(null, false)]
    public void IsHealthCheckPath_Value_StartsWithASlashOrNot(string? path, bool expected) =>
        InstanceRules.IsHealthCheckPath(path).ShouldBe(expected);

    /// <summary>The registry file, the admin API and the domain refuse the same values, in the same words.</summary>
    [Theory]
    [InlineData("Host", "local host", "host", InstanceRules.HostProblem)]
    [InlineData("Host", "-leading-hyphen", "host", InstanceRules.HostProblem)]
    [InlineData("Port", "70000", "port", InstanceRules.PortProblem)]
    [InlineData("Port", "0", "port", InstanceRules.PortProblem)]
    [InlineData("Weight", "0", "weight", InstanceRules.WeightProblem)]
    [InlineData("Scheme", "ftp", "scheme", InstanceRules.SchemeProblem)]
    public void EveryEntryPoint_BadInstanceValue_IsRefusedWithTheRulesWording(string key, string value, string field, string problem)
    {
        var instance = new Dictionary<string, string> { ["Host"] = "localhost", ["Port"] = "8001", ["Weight"] = "1", ["Scheme"] = "http" };
        instance[key] = value;

        var fromFile = Should.Throw<OptionsValidationException>(() => RegistrySettings.Load<RegistryOptions>(
            RegistryConfigurationLoader.Bind,
            new ConfigurationBuilder()
                .AddInMemoryCollection(instance.Select(entry => new KeyValuePair<string, string?>($"Gateway:Services:orders:Instances:0:{entry.Key}", entry.Value)))
                .Build()));
        var fromAdmin = RegistrationRules.Check(new InstanceRegistration(
            "orders", instance["Host"], int.Parse(instance["Port"]), int.Parse(instance["Weight"]), instance["Scheme"], TtlSeconds: null));
        var fromDomain = Should.Throw<ArgumentException>(() =>
            new Instance(instance["Host"], int.Parse(instance["Port"]), int.Parse(instance["Weight"]), instance["Scheme"]));

        fromFile.Failures.ShouldBe([$"orders.Instances[0].{key}: '{value}' {problem}"]);
        fromAdmin.ShouldNotBeNull().Field.ShouldBe(field);
        fromAdmin.Value.Message.ShouldContain(value);
        fromAdmin.Value.Message.ShouldEndWith(problem);
        fromDomain.Message.ShouldContain(value);
        fromDomain.Message.ShouldContain(problem);
    }

    [Fact]
    public void EveryEntryPoint_BadHealthCheckPath_IsRefusedWithTheRulesWording()
    {
        var fromFile = Should.Throw<OptionsValidationException>(() => RegistrySettings.Load<RegistryOptions>(
            RegistryConfigurationLoader.Bind,
            new ConfigurationBuilder()
                .AddInMemoryCollection([new("Gateway:Services:orders:HealthCheckPath", "ready")])
                .Build()));
        var fromAdmin = RegistrationRules.Check(new ServiceSettings(LoadBalancer: null, HealthCheckPath: "ready"));
        var fromDomain = Should.Throw<ArgumentException>(() => new ServiceRegistry(
            new Gateway.Domain.LoadBalancing.LoadBalancerFactory(),
            [new ServiceDefinition("orders", "round_robin", "ready", [])]));

        fromFile.Failures.ShouldBe([$"orders.HealthCheckPath: 'ready' {InstanceRules.HealthCheckPathProblem}"]);
        fromAdmin.ShouldBe(("healthCheckPath", $"'ready' {InstanceRules.HealthCheckPathProblem}"));
        fromDomain.Message.ShouldContain($"'ready' of service 'orders' {InstanceRules.HealthCheckPathProblem}");
    }
}
