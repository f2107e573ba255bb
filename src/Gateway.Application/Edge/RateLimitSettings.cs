namespace Gateway.Application.Edge;

/// <summary>A service's <c>RateLimit</c>: a token bucket per partition, and optionally a cap on requests in flight.</summary>
/// <param name="MaxConcurrent">Requests in flight at once; 0 for no limit.</param>
public sealed record RateLimitSettings(double PermitsPerSecond, int Burst, PartitionKey PartitionBy, int MaxConcurrent);
