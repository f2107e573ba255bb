namespace Gateway.Domain.LoadBalancing;

/// <summary>Creates a fresh strategy, with its own state, for one service.</summary>
/// <param name="random">
/// The source the random strategies draw from. It must be safe for concurrent callers (the default,
/// <see cref="System.Random.Shared"/>, is); tests pass a seeded one to get repeatable picks.
/// </param>
public sealed class LoadBalancerFactory(Random? random = null)
{
    private readonly Random _random = random ?? System.Random.Shared;

    /// <exception cref="ArgumentException">The name is not a known strategy.</exception>
    public ILoadBalancer Create(string name) => LoadBalancerNames.Parse(name) switch
    {
        LoadBalancerNames.RoundRobin => new RoundRobinLoadBalancer(),
        LoadBalancerNames.LeastConnections => new LeastConnectionsLoadBalancer(),
        LoadBalancerNames.Random => new RandomLoadBalancer(_random),
        LoadBalancerNames.WeightedRoundRobin => new WeightedRoundRobinLoadBalancer(),
        LoadBalancerNames.PowerOfTwoChoices => new PowerOfTwoChoicesLoadBalancer(_random),
        var other => throw new InvalidOperationException($"No strategy is built for '{other}'."),
    };
}
