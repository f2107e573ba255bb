using Gateway.Application.Registration;
using Gateway.Domain;
using Gateway.Domain.LoadBalancing;

namespace Gateway.UnitTests.TestSupport;

/// <summary>
/// A registry as the admin commands find it: <c>orders</c> is configured with instance <c>a:8080</c>, <c>billing</c> was
/// registered at run time with instance <c>c:8080</c>.
/// </summary>
internal sealed class TestRegistrations
{
    public const string Configured = "orders";
    public const string ConfiguredInstance = "a:8080";
    public const string Registered = "billing";
    public const string RegisteredInstance = "c:8080";

    public TestRegistrations()
    {
        var configured = TestServices.Define(Configured, LoadBalancerNames.RoundRobin, new InstanceDefinition("a", TestInstances.Port));
        Statics = new StaticServices([configured]);
        Registry = new ServiceRegistry(
            new LoadBalancerFactory(),
            [
                configured,
                TestServices.Define(Registered, LoadBalancerNames.RoundRobin, new InstanceDefinition("c", TestInstances.Port, IsDynamic: true)),
            ]);
    }

    public ServiceRegistry Registry { get; }

    public StaticServices Statics { get; }

    public Instance Instance(string service, string id) =>
        Registry.TryGetService(service, out var found) && found.FindInstance(id) is { } instance
            ? instance
            : throw new ShouldAssertException($"No instance {id} in {service}.");
}
