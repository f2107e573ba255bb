namespace Gateway.Domain;

/// <summary>What took an instance out of rotation.</summary>
public enum HealthSource
{
    /// <summary>The periodic health check failed.</summary>
    Active,

    /// <summary>Requests proxied to it kept failing.</summary>
    Passive,
}
