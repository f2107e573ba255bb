using Gateway.Application.Forwarding;

namespace Gateway.Infrastructure.Http;

/// <summary>
/// A request to an instance that carries what the client's handlers need to know about it: the target, for the
/// policy selector to pick the instance's breaker, and the deadline, for <see cref="UpstreamExchangeHandler"/>.
/// </summary>
/// <remarks>
/// Fields rather than <see cref="HttpRequestMessage.Options"/> entries: the options are a dictionary per request,
/// and with these two beside the policy handler's context it grows once more on every request.
/// </remarks>
internal sealed class UpstreamMessage(HttpMethod method, Uri target, UpstreamRequest upstream, UpstreamDeadline deadline)
    : HttpRequestMessage(method, target)
{
    public UpstreamRequest Upstream { get; } = upstream;

    public UpstreamDeadline Deadline { get; } = deadline;
}
