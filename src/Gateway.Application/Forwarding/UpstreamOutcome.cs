namespace Gateway.Application.Forwarding;

/// <summary>How a call to an instance ended, as far as the response headers.</summary>
public enum UpstreamOutcome
{
    /// <summary>Response headers arrived; the body follows.</summary>
    Responded,

    /// <summary>No response headers within the timeout.</summary>
    TimedOut,

    /// <summary>The instance could not be reached: connection refused or reset, or an invalid response.</summary>
    Unreachable,

    /// <summary>The client went away before the response headers arrived.</summary>
    ClientAborted,

    /// <summary>Reading the client's request body failed (too large, or the client stopped sending).</summary>
    RequestBodyFailed,

    /// <summary>The instance's circuit is open: the request never left the gateway, so any other instance may take it.</summary>
    NotSent,

    /// <summary>
    /// The request cannot be sent as the client wrote it (header bytes or a method HTTP clients do not send): the
    /// client's fault, so no instance is blamed and none is tried again.
    /// </summary>
    Unforwardable,
}
