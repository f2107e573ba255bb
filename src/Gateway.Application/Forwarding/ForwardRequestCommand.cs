using MediatR;
using Microsoft.Extensions.Primitives;

namespace Gateway.Application.Forwarding;

/// <summary>One client request to pass on to an instance of <see cref="Service"/>, in transport-neutral terms.</summary>
/// <param name="Service">The first path segment, as routed.</param>
/// <param name="PathAndQuery">The rest of the request target exactly as the client sent it, starting with '/'.</param>
/// <param name="Headers">The client's request headers, hop-by-hop ones included: the forwarder decides what passes.</param>
/// <param name="Body">The request body, or null when the request has none; read once, as it arrives.</param>
/// <param name="ContentLength">The body's declared length, or null when it is sent in chunks.</param>
/// <param name="Client">Where the request came from, for the X-Forwarded-* headers.</param>
public sealed record ForwardRequestCommand(
    string Service,
    string Method,
    string PathAndQuery,
    IEnumerable<KeyValuePair<string, StringValues>> Headers,
    Stream? Body,
    long? ContentLength,
    ClientInfo Client) : IRequest<ForwardResult>
{
    /// <summary>The protocol the client asks to switch to (<c>websocket</c>), or null for an ordinary request.</summary>
    public string? Upgrade { get; init; }
}
