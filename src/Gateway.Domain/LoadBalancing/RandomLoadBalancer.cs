namespace Gateway.Domain.LoadBalancing;

/// <summary>Uniformly random choice.</summary>
public sealed class RandomLoadBalancer(Random random) : ILoadBalancer
{
    public string Name => LoadBalancerNames.Random;

    public Instance? Pick(IReadOnlyList<Instance> candidates)
    {
        var count = candidates.Count;
        if (count <= 1)
        {
            return count == 0 ? null : candidates[0];
        }

        return candidates[random.Next(count)];
    }
}
