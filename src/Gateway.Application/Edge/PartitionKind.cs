namespace Gateway.Application.Edge;

/// <summary>What a rate limit's partitions are told apart by.</summary>
public enum PartitionKind
{
    ClientIp,
    ApiKey,
    Claim,
    Header,
}
