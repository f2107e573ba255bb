namespace Gateway.Application.Forwarding;

/// <summary>Sends a request to one chosen instance and hands back its response as soon as the headers arrive.</summary>
/// <remarks>
/// The port between the use case and the network. Implementations stream the body both ways, never buffering it,
/// and report transport failures as an <see cref="UpstreamOutcome"/> rather than throwing: a refused connection or
/// a timeout is an expected answer from an upstream, not a bug.
/// </remarks>
public interface IRequestForwarder
{
    /// <param name="request">What to send, and to which instance.</param>
    /// <param name="cancellationToken">Cancelled when the client goes away; the upstream call is abandoned then.</param>
    Task<UpstreamResult> ForwardAsync(UpstreamRequest request, CancellationToken cancellationToken);
}
