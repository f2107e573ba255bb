using Gateway.Domain;
using Gateway.Domain.LoadBalancing;

namespace Gateway.UnitTests.TestSupport;

/// <summary>Service definitions and live services built through the real registry.</summary>
internal static class TestServices
{
    public const string HealthCheckPath = "/health";

    public static readonly DateTimeOffset Now = new(2026, 1, 1, 0, 0, 0, TimeSpan.Zero);

    public static ServiceDefinition Define(string name, string loadBalancer, params InstanceDefinition[] instances) =>
        new(name, loadBalancer, HealthCheckPath, instances);

    /// <summary>Instance definitions on hosts a, b, c… with the given weights, as <see cref="TestInstances"/> names them.</summary>
    public static InstanceDefinition[] Weighted(params int[] weights) =>
        [.. weights.Select((weight, i) => new InstanceDefinition(TestInstances.HostName(i), TestInstances.Port, weight))];

    /// <summary>A service of <paramref name="count"/> equal instances, built by a fresh registry.</summary>
    public static Service Create(string loadBalancer, int count, Random? random = null) =>
        Create(loadBalancer, [.. Enumerable.Repeat(1, count)], random);

    public static Service Create(string loadBalancer, int[] weights, Random? random = null) =>
        new ServiceRegistry(new LoadBalancerFactory(random)).Upsert(Define("orders", loadBalancer, Weighted(weights)));

    /// <summary>Takes an instance out of rotation the way the passive health check does.</summary>
    public static void TakeOut(Instance instance) =>
        instance.SetHealth(false, Now, HealthSource.Passive, "test").ShouldBeTrue();

    public static void PutBack(Instance instance) =>
        instance.SetHealth(true, Now, HealthSource.Passive).ShouldBeTrue();

    /// <summary>Picks <paramref name="count"/> times from the service.</summary>
    public static List<Instance?> PickMany(Service service, int count) =>
        [.. Enumerable.Range(0, count).Select(_ => service.PickInstance())];

    /// <summary>Picks <paramref name="count"/> times from the strategy with a fixed list of candidates.</summary>
    public static List<Instance?> PickMany(ILoadBalancer loadBalancer, IReadOnlyList<Instance> candidates, int count) =>
        [.. Enumerable.Range(0, count).Select(_ => loadBalancer.Pick(candidates))];
}
