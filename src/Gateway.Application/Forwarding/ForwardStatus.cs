namespace Gateway.Application.Forwarding;

/// <summary>How a forward request ended, as the client will see it.</summary>
public enum ForwardStatus
{
    /// <summary>An instance answered; its response goes back to the client.</summary>
    Forwarded,

    UnknownService,

    /// <summary>The request named a version no instance of the service runs; <see cref="ForwardResult.Versions"/> lists those that exist.</summary>
    UnknownVersion,

    NoHealthyInstance,

    UpstreamTimeout,

    UpstreamUnreachable,

    ClientAborted,

    RequestBodyFailed,

    /// <summary>The request cannot be sent as the client wrote it; <see cref="ForwardResult.Error"/> says why.</summary>
    Unforwardable,

    /// <summary>The edge policies refused the request; <see cref="ForwardResult.Edge"/> says why.</summary>
    Refused,
}
