namespace Gateway.Application.Edge;

/// <summary>What one partition's bucket said to one request.</summary>
/// <param name="Remaining">Whole permits left after this request.</param>
/// <param name="ResetSeconds">Whole seconds until the bucket is full again.</param>
/// <param name="RetryAfterSeconds">When refused, whole seconds (at least 1) until a permit is there; else 0.</param>
public readonly record struct RateLimitDecision(bool Allowed, int Remaining, int ResetSeconds, int RetryAfterSeconds);
