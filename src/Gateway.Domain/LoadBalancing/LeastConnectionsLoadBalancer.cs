namespace Gateway.Domain.LoadBalancing;

/// <summary>The candidate with the fewest requests in flight.</summary>
/// <remarks>
/// Candidates that tie (idle ones, typically) take turns: a first pass finds the lowest count and how many share
/// it, a second takes the n-th of them by a rotating ticket. Taking the first tied candidate after a rotating start
/// would not do: an idle candidate just after a busy one would win every time the start fell on the busy one.
/// Counts move while the scan runs; whatever it sees is a fair answer, and it never blocks a writer.
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

        var lowest = int.MaxValue;
        var ties = 0;
        Instance? fallback = null;
        for (var i = 0; i < count; i++)
        {
            var candidate = candidates[i];
            var load = candidate.ActiveRequests;
            if (load < lowest)
            {
                lowest = load;
                ties = 1;
                fallback = candidate;
            }
            else if (load == lowest)
            {
                ties++;
            }
        }

        var turn = (int)((ulong)Interlocked.Increment(ref _next) % (uint)ties);
        for (var i = 0; i < count; i++)
        {
            var candidate = candidates[i];
            if (candidate.ActiveRequests == lowest && turn-- == 0)
            {
                return candidate;
            }
        }

        // Counts changed between the passes and the chosen tie is gone: the first lowest seen is still a good answer.
        return fallback;
    }
}
