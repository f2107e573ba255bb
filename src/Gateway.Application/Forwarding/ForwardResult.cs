using System.Diagnostics.CodeAnalysis;
using Gateway.Application.Edge;
using Gateway.Application.Shaping;
using Gateway.Domain;

namespace Gateway.Application.Forwarding;

/// <summary>The outcome of a <see cref="ForwardRequestCommand"/>.</summary>
/// <remarks>
/// A forwarded result owns the instance's response and keeps the request counted in flight on the instance until
/// it is disposed: dispose it once the body has been sent to the client, or the client has gone.
/// </remarks>
public sealed class ForwardResult : IAsyncDisposable
{
    private Instance? _inFlightOn;
    private Service? _forwardedFor;
    private PassiveHealth? _passiveHealth;

    private ForwardResult(
        ForwardStatus status,
        string service,
        Instance? instance,
        IUpstreamResponse? response,
        TimeSpan upstreamElapsed,
        Exception? error,
        int attempts)
    {
        Attempts = attempts;
        Status = status;
        Service = service;
        Instance = instance;
        Response = response;
        UpstreamElapsed = upstreamElapsed;
        Error = error;
    }

    public ForwardStatus Status { get; }

    /// <summary>Whether the instance answered: then the result has its <see cref="Response"/> and <see cref="Instance"/>.</summary>
    [MemberNotNullWhen(true, nameof(Response), nameof(Instance))]
    public bool IsForwarded => Status == ForwardStatus.Forwarded;

    /// <summary>The service's registered name, or the requested one when it is unknown.</summary>
    public string Service { get; }

    /// <summary>The instance that answered, or the last one tried.</summary>
    public Instance? Instance { get; }

    /// <summary>The instance's response, when <see cref="Status"/> is <see cref="ForwardStatus.Forwarded"/>.</summary>
    public IUpstreamResponse? Response { get; }

    /// <summary>Time from sending to the response headers (or to the failure).</summary>
    public TimeSpan UpstreamElapsed { get; }

    /// <summary>The transport failure behind an unsuccessful status, for logs.</summary>
    public Exception? Error { get; }

    /// <summary>Instances the request was sent to: more than one when it was retried elsewhere.</summary>
    public int Attempts { get; }

    /// <summary>The service's own idle timeout for streams, or null to use the gateway's.</summary>
    public TimeSpan? StreamIdleTimeout => _forwardedFor?.StreamIdleTimeout;

    /// <summary>What the service's edge policies decided, when it has any; disposed with the result.</summary>
    public EdgeAdmission? Edge { get; private set; }

    /// <summary>What the service's transforms and affinity change in the response, when they change anything.</summary>
    public ShapedResponse? Shaped { get; private set; }

    /// <summary>The version the request named, for <see cref="ForwardStatus.UnknownVersion"/>.</summary>
    public string? RequestedVersion { get; private init; }

    /// <summary>The versions the service's instances run, for <see cref="ForwardStatus.UnknownVersion"/>.</summary>
    public IReadOnlyList<string>? Versions { get; private init; }

    public static ForwardResult UnknownVersion(Service service, string requested, IReadOnlyList<string> versions) =>
        new(ForwardStatus.UnknownVersion, service.Name, null, null, TimeSpan.Zero, null, 0) { RequestedVersion = requested, Versions = versions };

    public static ForwardResult UnknownService(string requested) =>
        new(ForwardStatus.UnknownService, requested, null, null, TimeSpan.Zero, null, 0);

    public static ForwardResult NoHealthyInstance(Service service) =>
        new(ForwardStatus.NoHealthyInstance, service.Name, null, null, TimeSpan.Zero, null, 0);

    internal static ForwardResult Refused(Service service, EdgeAdmission admission) =>
        new(ForwardStatus.Refused, service.Name, null, null, TimeSpan.Zero, null, 0) { Edge = admission };

    /// <summary>Hands the admission, and the concurrency permit it may hold, to this result.</summary>
    internal ForwardResult AdmittedBy(EdgeAdmission admission)
    {
        Edge = admission;
        return this;
    }

    internal ForwardResult ShapedBy(ShapedResponse? shaped)
    {
        Shaped = shaped;
        return this;
    }

    /// <summary>A response to pass back; the result takes over the in-flight count already begun on the instance.</summary>
    internal static ForwardResult Forwarded(
        Service service, Instance instance, IUpstreamResponse response, TimeSpan elapsed, int attempts, PassiveHealth passiveHealth) =>
        new(ForwardStatus.Forwarded, service.Name, instance, response, elapsed, null, attempts)
        {
            _inFlightOn = instance,
            _forwardedFor = service,
            _passiveHealth = passiveHealth,
        };

    internal static ForwardResult Failed(
        ForwardStatus status, Service service, Instance instance, TimeSpan elapsed, Exception? error, int attempts = 1) =>
        new(status, service.Name, instance, null, elapsed, error, attempts);

    /// <summary>
    /// Reports that the instance broke off its response body: the instance failed the request as surely as if it had
    /// not answered, so passive health and its circuit breaker count it.
    /// </summary>
    public void ResponseBodyFailed(Exception error)
    {
        ArgumentNullException.ThrowIfNull(error);
        if (Response is null || Instance is null || _forwardedFor is null || _passiveHealth is null)
        {
            throw new InvalidOperationException("Only a forwarded response has a body.");
        }

        Response.BodyFailed(error);
        _passiveHealth.Failed(_forwardedFor, Instance, $"response body broke off ({error.Message})");
    }

    public async ValueTask DisposeAsync()
    {
        var instance = Interlocked.Exchange(ref _inFlightOn, null);
        try
        {
            if (Response is not null)
            {
                await Response.DisposeAsync();
            }
        }
        finally
        {
            instance?.EndRequest();
            Edge?.Dispose();
        }
    }
}
