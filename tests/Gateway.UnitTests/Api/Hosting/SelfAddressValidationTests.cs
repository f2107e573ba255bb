using Gateway.Api.Hosting;
using Gateway.Domain;
using Gateway.Domain.LoadBalancing;
using Gateway.Infrastructure.Configuration;
using Microsoft.Extensions.Options;

namespace Gateway.UnitTests.Api.Hosting;

public sealed class SelfAddressValidationTests
{
    [Theory]
    [InlineData("127.0.0.1", 8080, 9001, null, null)]
    [InlineData("127.0.0.1", 8080, 9001, 9002, null)]
    [InlineData("127.0.0.1", 8080, 8080, null, "orders.Instances[1]: '127.0.0.1:8080' is the gateway's own address (GATEWAY_HOST=127.0.0.1, GATEWAY_PORT=8080): every request would come back to it")]
    [InlineData("0.0.0.0", 8080, 8080, null, "orders.Instances[1]: 'localhost:8080' is the gateway's own address (GATEWAY_HOST=0.0.0.0, GATEWAY_PORT=8080): every request would come back to it")]
    [InlineData("127.0.0.1", 8443, 9001, 9001, "orders.Instances[1]: '127.0.0.1:9001' is the gateway's own address (GATEWAY_HOST=127.0.0.1, GATEWAY_H2C_PORT=9001): every request would come back to it")]
    public void Validate_InstanceAtTheListenAddress_IsRefusedNamingIt(
        string listenHost, int listenPort, int instancePort, int? h2cPort, string? failure)
    {
        var server = new GatewayServerOptions { Host = listenHost, Port = listenPort, H2cPort = h2cPort };
        var instanceHost = listenHost == "0.0.0.0" ? "localhost" : listenHost;
        var registry = new RegistryOptions
        {
            Services =
            [
                new ServiceDefinition("orders", LoadBalancerNames.RoundRobin, "/health", [new InstanceDefinition("10.1.1.1", 80), new InstanceDefinition(instanceHost, instancePort)]),
            ],
        };

        var result = new SelfAddressValidation(Options.Create(server)).Validate(null, registry);

        result.Failures.ShouldBe(failure is null ? null : [failure]);
    }
}
