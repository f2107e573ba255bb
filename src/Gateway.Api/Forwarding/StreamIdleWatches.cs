using Gateway.Infrastructure.Http;
using Microsoft.Extensions.Options;

namespace Gateway.Api.Forwarding;

/// <summary>Starts <see cref="StreamIdleWatch"/>es with the gateway's <c>STREAM_IDLE_TIMEOUT</c>, or a service's own.</summary>
internal sealed class StreamIdleWatches(IOptions<ForwardingOptions> options, TimeProvider timeProvider)
{
    private readonly TimeSpan _timeout = options.Value.StreamIdleTimeout;

    public StreamIdleWatch Start(TimeSpan? serviceTimeout, CancellationToken client, CancellationToken other = default) =>
        new(serviceTimeout ?? _timeout, timeProvider, client, other);
}
