using System.Runtime.CompilerServices;
using Gateway.Application.Forwarding;
using Gateway.Application.Operations;
using Gateway.Application.Telemetry;
using Gateway.Domain;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Polly;
using Polly.CircuitBreaker;
using Polly.Timeout;
using CircuitState = Gateway.Domain.CircuitState;

namespace Gateway.Infrastructure.Http;

/// <summary>
/// The Polly policy of the upstream client, chosen per request: the circuit breaker of the instance the request goes
/// to. It counts timeouts and invalid responses too, which <see cref="UpstreamExchangeHandler"/> raises inside it.
/// </summary>
/// <remarks>
/// A breaker is built once per instance (it must see all of its instance's calls), so choosing it costs a lookup,
/// not an allocation. Breakers are keyed by the instance object in a weak table: an instance removed from the
/// registry takes its breaker with it. The timeout is not a Polly policy: Polly's starts with the call, but the wait
/// for an answer must start when the request body has been sent (see <see cref="UpstreamDeadline"/>).
/// </remarks>
internal sealed partial class UpstreamPolicies(
    IOptions<ResilienceOptions> resilience,
    GatewayMetrics metrics,
    EventTimeline timeline,
    TimeProvider timeProvider,
    ILogger<UpstreamPolicies> logger) : IDisposable
{
    private readonly GatewayMetrics _metrics = metrics;
    private readonly EventTimeline _timeline = timeline;
    private readonly ResilienceOptions _resilience = resilience.Value;
    private readonly TimeProvider _timeProvider = timeProvider;
    private readonly ILogger _logger = logger;

    private static readonly IAsyncPolicy<HttpResponseMessage> NoBreaker = Policy.NoOpAsync<HttpResponseMessage>();

    private readonly ConditionalWeakTable<Instance, Breaker> _breakers = [];
    private volatile bool _disposed;

    public IAsyncPolicy<HttpResponseMessage> For(HttpRequestMessage request)
    {
        var target = Target(request);
        // An instance with an open circuit, chosen because its service routes to open circuits in panic (see
        // Service.AvailableInstances), is sent to without its breaker, which would refuse the call. The break timer
        // still ends the break as usual. Outside panic the breaker refuses, and the request goes to another instance.
        return target is null || (target.Instance.Circuit == CircuitState.Open && target.Service.RoutesOpenCircuits)
            ? NoBreaker
            : BreakerOf(target).Policy;
    }

    /// <summary>Counts a failure that came after the exchange, such as a response body that broke off.</summary>
    public void RecordFailure(UpstreamRequest target, Exception failure)
    {
        // Polly's classic breaker counts only what runs through it; an already-failed call does, at no other cost.
        _ = BreakerOf(target).Policy.ExecuteAndCaptureAsync(() => Task.FromException<HttpResponseMessage>(failure));
    }

    /// <summary>Stops the break timers, so that none fires into a registry the stopped host has left behind.</summary>
    public void Dispose()
    {
        _disposed = true;
        foreach (var (_, breaker) in _breakers)
        {
            breaker.Dispose();
        }
    }

    private Breaker BreakerOf(UpstreamRequest target) =>
        _breakers.TryGetValue(target.Instance, out var breaker) ? breaker : CreateBreaker(target);

    // A method of its own: the lambda captures the target, and the compiler allocates a captured parameter's closure
    // when the method that declares it is entered, whichever branch runs.
    private Breaker CreateBreaker(UpstreamRequest target) =>
        _breakers.GetValue(target.Instance, instance => new Breaker(this, target.Service.Name, instance));

    private static UpstreamRequest? Target(HttpRequestMessage request) => (request as UpstreamMessage)?.Upstream;

    /// <summary>One instance's breaker, and the timer that puts the instance back in rotation when its break ends.</summary>
    private sealed class Breaker : IDisposable
    {
        private readonly UpstreamPolicies _owner;
        private readonly string _service;
        private readonly Instance _instance;
        private ITimer? _breakTimer;

        public Breaker(UpstreamPolicies owner, string service, Instance instance)
        {
            _owner = owner;
            _service = service;
            _instance = instance;
            var options = owner._resilience;
            // A timeout is a failure the breaker counts, and so is a 5xx; the client's own cancellation is not.
            Policy = Polly.Policy<HttpResponseMessage>
                .Handle<HttpRequestException>()
                .Or<TimeoutRejectedException>()
                .Or<IOException>()
                .OrResult(response => (int)response.StatusCode >= 500)
                .CircuitBreakerAsync(options.FailureThreshold, options.BreakDuration, OnBreak, OnReset, OnHalfOpen);
        }

        public AsyncCircuitBreakerPolicy<HttpResponseMessage> Policy { get; }

        public void Dispose() => Interlocked.Exchange(ref _breakTimer, null)?.Dispose();

        private void OnBreak(DelegateResult<HttpResponseMessage> outcome, TimeSpan duration)
        {
            _instance.SetCircuit(CircuitState.Open);
            _owner._metrics.CircuitChanged(_service, _instance, CircuitState.Open);
            LogOpened(_owner._logger, _service, _instance.Id, duration.TotalSeconds);
            _owner._timeline.Record(
                GatewayEventKinds.CircuitOpened, _service, _instance.Id,
                $"{outcome.Exception?.Message ?? $"answered {(int?)outcome.Result?.StatusCode}"}; break of {duration.TotalSeconds:0.###} s");
            if (_owner._disposed)
            {
                return;
            }

            // The strategies skip an open instance, so no request would ever reach Polly to find the break over:
            // a timer puts the instance back in rotation, and its next request is the trial.
            Interlocked.Exchange(ref _breakTimer, _owner._timeProvider.CreateTimer(
                static state => ((Breaker)state!).OnBreakOver(),
                this,
                duration,
                Timeout.InfiniteTimeSpan))?.Dispose();
        }

        private void OnReset()
        {
            Dispose();
            if (_instance.SetCircuit(CircuitState.Closed))
            {
                _owner._metrics.CircuitChanged(_service, _instance, CircuitState.Closed);
                LogClosed(_owner._logger, _service, _instance.Id);
                _owner._timeline.Record(GatewayEventKinds.CircuitClosed, _service, _instance.Id, "trial request succeeded");
            }
        }

        private void OnHalfOpen() => OnBreakOver();

        private void OnBreakOver()
        {
            if (_instance.SetCircuit(CircuitState.HalfOpen))
            {
                _owner._metrics.CircuitChanged(_service, _instance, CircuitState.HalfOpen);
                _owner._timeline.Record(GatewayEventKinds.CircuitHalfOpen, _service, _instance.Id, "break over: the next request is a trial");
            }
        }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "{Service} {InstanceId}: circuit opened for {BreakSeconds} s")]
    private static partial void LogOpened(ILogger logger, string service, string instanceId, double breakSeconds);

    [LoggerMessage(Level = LogLevel.Information, Message = "{Service} {InstanceId}: circuit closed")]
    private static partial void LogClosed(ILogger logger, string service, string instanceId);
}
