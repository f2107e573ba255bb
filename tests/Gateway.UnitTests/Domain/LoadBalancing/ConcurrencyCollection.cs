namespace Gateway.UnitTests.Domain.LoadBalancing;

/// <summary>
/// The strategies' tests, which include the many-thread ones, run on their own after the rest: on a small machine
/// they would otherwise fight the other tests for cores and take longer, and interleave less, than they should.
/// </summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class ConcurrencyCollection
{
    public const string Name = "Load balancer concurrency";
}
