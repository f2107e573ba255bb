namespace Gateway.Domain;

/// <summary>The state of an instance's circuit breaker.</summary>
public enum CircuitState
{
    /// <summary>Requests flow.</summary>
    Closed,

    /// <summary>Too many failures in a row: the instance gets no traffic until the break ends.</summary>
    Open,

    /// <summary>The break is over: the next request is a trial that closes the circuit or opens it again.</summary>
    HalfOpen,
}
