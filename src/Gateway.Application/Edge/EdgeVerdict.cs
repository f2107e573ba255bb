namespace Gateway.Application.Edge;

/// <summary>Whether the edge policies let a request through, and if not, why.</summary>
public enum EdgeVerdict
{
    Admitted,

    /// <summary>No credentials, or ones that do not hold: 401.</summary>
    Unauthenticated,

    /// <summary>Valid credentials without a required scope: 403.</summary>
    Forbidden,

    /// <summary>Over the rate or concurrency limit: 429.</summary>
    RateLimited,
}
