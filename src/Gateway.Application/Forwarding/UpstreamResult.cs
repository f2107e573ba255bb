using System.Diagnostics.CodeAnalysis;

namespace Gateway.Application.Forwarding;

/// <summary>What <see cref="IRequestForwarder"/> reports: a response, or why there is none.</summary>
public sealed record UpstreamResult
{
    private UpstreamResult(UpstreamOutcome outcome, IUpstreamResponse? response, TimeSpan elapsed, Exception? error, bool bodyStarted)
    {
        Outcome = outcome;
        Response = response;
        Elapsed = elapsed;
        Error = error;
        BodyStarted = bodyStarted;
    }

    public UpstreamOutcome Outcome { get; }

    /// <summary>Whether there is a <see cref="Response"/>.</summary>
    [MemberNotNullWhen(true, nameof(Response))]
    public bool HasResponse => Outcome == UpstreamOutcome.Responded;

    /// <summary>The response, when <see cref="Outcome"/> is <see cref="UpstreamOutcome.Responded"/>.</summary>
    public IUpstreamResponse? Response { get; }

    /// <summary>Time from sending to the response headers, or to the failure.</summary>
    public TimeSpan Elapsed { get; }

    /// <summary>The transport failure behind an unsuccessful outcome, for logs.</summary>
    public Exception? Error { get; }

    /// <summary>
    /// Whether any of the client's request body was read before the failure. A started body is gone: the request
    /// cannot be sent again, to any instance.
    /// </summary>
    public bool BodyStarted { get; }

    public static UpstreamResult Responded(IUpstreamResponse response, TimeSpan elapsed)
    {
        ArgumentNullException.ThrowIfNull(response);
        return new(UpstreamOutcome.Responded, response, elapsed, null, false);
    }

    public static UpstreamResult Failed(UpstreamOutcome outcome, TimeSpan elapsed, Exception? error, bool bodyStarted = false)
    {
        if (outcome == UpstreamOutcome.Responded)
        {
            throw new ArgumentException("A failure needs an outcome other than Responded.", nameof(outcome));
        }

        return new(outcome, null, elapsed, error, bodyStarted);
    }
}
