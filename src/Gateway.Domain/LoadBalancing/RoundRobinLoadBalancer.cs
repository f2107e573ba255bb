namespace Gateway.Domain.LoadBalancing;

/// <summary>Strict rotation: the n-th pick goes to candidate n modulo their number.</summary>
/// <remarks>
/// One atomic counter orders all callers, so under any number of threads no candidate gets more than one pick ahead
/// of another. When the candidates change the counter carries on, rather than restarting at the first.
/// </remarks>
public sealed class RoundRobinLoadBalancer : ILoadBalancer
{
    private long _next = -1;

    public string Name => LoadBalancerNames.RoundRobin;

    public Instance? Pick(IReadOnlyList<Instance> candidates)
    {
        var count = candidates.Count;
        if (count <= 1)
        {
            return count == 0 ? null : candidates[0];
        }

        var ticket = (ulong)Interlocked.Increment(ref _next);
        return candidates[(int)(ticket % (uint)count)];
    }
}
