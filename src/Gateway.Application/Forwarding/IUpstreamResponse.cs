using Microsoft.Extensions.Primitives;

namespace Gateway.Application.Forwarding;

/// <summary>An instance's response, headers received and body still to come.</summary>
/// <remarks>Owns the upstream connection until disposed: dispose it once the body has been copied or abandoned.</remarks>
public interface IUpstreamResponse : IAsyncDisposable
{
    int StatusCode { get; }

    /// <summary>
    /// Hands each end-to-end header, content headers included, to <paramref name="add"/>; hop-by-hop ones are left out.
    /// </summary>
    /// <remarks>A callback with a state rather than an enumerable: a static lambda allocates nothing per response.</remarks>
    void CopyHeaders<TTarget>(TTarget target, Action<TTarget, string, StringValues> add);

    /// <summary>
    /// Hands each trailer (such as gRPC's <c>grpc-status</c>) to <paramref name="add"/>; only known once
    /// <see cref="Body"/> has been read to its end.
    /// </summary>
    void CopyTrailers<TTarget>(TTarget target, Action<TTarget, string, StringValues> add);

    /// <summary>The body as it arrives from the instance.</summary>
    Stream Body { get; }

    /// <summary>
    /// Tells the transport that reading <see cref="Body"/> failed, so that its circuit breaker counts the exchange as
    /// failed, as it would a request that got no answer.
    /// </summary>
    void BodyFailed(Exception failure);
}
