namespace Gateway.Domain.LoadBalancing;

/// <summary>Chooses which instance of a service gets the next request.</summary>
/// <remarks>
/// Each service has its own strategy object, so a strategy keeps that service's rotation or weights in its own
/// fields and never looks them up by name on the hot path. Implementations are safe for concurrent callers, allocate
/// nothing per pick, and never throw because of load.
/// </remarks>
public interface ILoadBalancer
{
    /// <summary>The canonical name from <see cref="LoadBalancerNames"/>.</summary>
    string Name { get; }

    /// <summary>Picks one of <paramref name="candidates"/>, which are all available.</summary>
    /// <param name="candidates">
    /// A snapshot the caller never changes once passed: a change of candidates comes as a new list. Strategies may
    /// cache what they derive from a list (a weighted schedule) for as long as they are given the same one.
    /// </param>
    /// <returns>The chosen instance, or null when there are no candidates.</returns>
    Instance? Pick(IReadOnlyList<Instance> candidates);
}
