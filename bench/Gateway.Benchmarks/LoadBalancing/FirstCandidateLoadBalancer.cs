using Gateway.Domain;
using Gateway.Domain.LoadBalancing;

namespace Gateway.Benchmarks.LoadBalancing;

/// <summary>The cheapest possible strategy, <c>candidates[0]</c>: the floor the real ones are measured against.</summary>
/// <remarks>
/// It is called exactly as <see cref="Service.PickInstance"/> calls a real strategy (an interface call with the
/// available list), so a ratio to it shows what a strategy's own logic costs beyond the call itself.
/// </remarks>
internal sealed class FirstCandidateLoadBalancer : ILoadBalancer
{
    public string Name => "first_candidate";

    public Instance? Pick(IReadOnlyList<Instance> candidates) => candidates.Count == 0 ? null : candidates[0];
}
