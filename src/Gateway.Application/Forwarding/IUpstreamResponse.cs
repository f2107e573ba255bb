using Microsoft.Extensions.Primitives;

namespace Gateway.Application.Forwarding;

/// <summary>An instance's response, headers received and body still to come.</summary>
/// <remarks>Owns the upstream connection until disposed: dispose it once the body has been copied or abandoned.</remarks>
public interface IUpstreamResponse : IAsyncDisposable
{
    int StatusCode { get; }

    /// <summary>The end-to-end headers, content headers included; hop-by-hop ones are already left out.</summary>
    IEnumerable<KeyValuePair<string, StringValues>> Headers { get; }

    /// <summary>The body as it arrives from the instance.</summary>
    Stream Body { get; }

    /// <summary>
    /// Tells the transport that reading <see cref="Body"/> failed, so that its circuit breaker counts the exchange as
    /// failed, as it would a request that got no answer.
    /// </summary>
    void BodyFailed(Exception failure);
}
