namespace Gateway.Domain.LoadBalancing;

/// <summary>The candidate with the fewest requests in flight.</summary>
/// <remarks>
/// The scan starts at a rotating offset and takes the first candidate with the lowest count, so candidates that
/// tie (idle ones, typically) share the load instead of the first one in the list taking it all. An idle candidate
/// ends the scan early: nothing can beat zero.
/// </remarks>
public sealed class LeastConnectionsLoadBalancer : ILoadBalancer
{
    private long _next = -1;

    public string Name => LoadBalancerNames.LeastConnections;

    public Instance? Pick(IReadOnlyList<Instance> candidates)
    {
        var count = candidates.Count;
        if (count <= 1)
        {
            return count == 0 ? null : candidates[0];
        }

        var index = (int)((ulong)Interlocked.Increment(ref _next) % (uint)count);
        var best = candidates[index];
        var bestLoad = best.ActiveRequests;
        for (var scanned = 1; scanned < count && bestLoad > 0; scanned++)
        {
            if (++index == count)
            {
                index = 0;
            }

            var candidate = candidates[index];
            var load = candidate.ActiveRequests;
            if (load < bestLoad)
            {
                best = candidate;
                bestLoad = load;
            }
        }

        return best;
    }
}
