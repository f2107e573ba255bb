using System.Collections.Concurrent;
using System.Net;
using Gateway.Application.Health;
using Gateway.Domain;
using Gateway.Domain.LoadBalancing;
using Gateway.Infrastructure.Http;
using Gateway.UnitTests.TestSupport;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Time.Testing;

namespace Gateway.UnitTests.Infrastructure.Http;

public sealed class HttpHealthProbeTests : IDisposable
{
    private static readonly TimeSpan Deadline = TimeSpan.FromSeconds(10);

    private readonly FakeTimeProvider _clock = new(TestServices.Now);
    private readonly ScriptedHandler _handler = new();
    private readonly ServiceRegistry _registry = new(new LoadBalancerFactory());

    public void Dispose() => _handler.Dispose();

    [Fact]
    public async Task ProbeAsync_HealthCheckPathChanges_RequestsTheNewPathOfTheSameInstance()
    {
        using var probe = Probe();
        var before = _registry.Upsert(Orders("/health"));
        var instance = before.Instances.Single();

        (await probe.ProbeAsync(before, instance, CancellationToken.None)).Healthy.ShouldBeTrue();
        (await probe.ProbeAsync(before, instance, CancellationToken.None)).Healthy.ShouldBeTrue();
        var after = _registry.Upsert(Orders("/ready"));
        (await probe.ProbeAsync(after, after.Instances.Single(), CancellationToken.None)).Healthy.ShouldBeTrue();

        after.Instances.Single().ShouldBeSameAs(instance);
        _handler.Requested.ShouldBe(["http://a:8080/health", "http://a:8080/health", "http://a:8080/ready"]);
    }

    [Fact]
    public async Task ProbeAsync_NoAnswerWithinTheTimeout_IsUnhealthyWithTheTimeout()
    {
        using var probe = Probe();
        var service = _registry.Upsert(Orders("/health"));
        _handler.Hang = true;

        var probing = probe.ProbeAsync(service, service.Instances.Single(), CancellationToken.None);
        await _handler.Hanging.WaitAsync(Deadline);
        _clock.Advance(TimeSpan.FromSeconds(2));
        var result = await probing.WaitAsync(Deadline);

        result.Healthy.ShouldBeFalse();
        result.Error.ShouldBe("no answer within 2 s");
        result.Duration.ShouldBe(TimeSpan.FromSeconds(2));
    }

    [Fact]
    public async Task ProbeAsync_ShutdownWhileWaiting_ThrowsInsteadOfReportingTheInstance()
    {
        using var probe = Probe();
        var service = _registry.Upsert(Orders("/health"));
        _handler.Hang = true;
        using var shutdown = new CancellationTokenSource();

        var probing = probe.ProbeAsync(service, service.Instances.Single(), shutdown.Token);
        await _handler.Hanging.WaitAsync(Deadline);
        await shutdown.CancelAsync();

        await Should.ThrowAsync<OperationCanceledException>(probing.WaitAsync(Deadline));
    }

    [Theory]
    [InlineData(10, 60)]
    [InlineData(30, 60)]
    [InlineData(90, 180)]
    public void CreateHandler_KeepsIdleConnectionsForTwoIntervalsAndAtLeastAMinute(int intervalSeconds, int idleSeconds)
    {
        using var handler = HttpHealthProbe.CreateHandler(new HealthCheckOptions { Interval = TimeSpan.FromSeconds(intervalSeconds) });

        handler.PooledConnectionIdleTimeout.ShouldBe(TimeSpan.FromSeconds(idleSeconds));
    }

    private static ServiceDefinition Orders(string healthCheckPath) =>
        new("orders", LoadBalancerNames.RoundRobin, healthCheckPath, [new InstanceDefinition("a", 8080)]);

    private HttpHealthProbe Probe() => new(
        new SingleHandlerFactory(_handler),
        Options.Create(new HealthCheckOptions { Timeout = TimeSpan.FromSeconds(2) }),
        _clock);

    private sealed class SingleHandlerFactory(HttpMessageHandler handler) : IHttpMessageHandlerFactory
    {
        public HttpMessageHandler CreateHandler(string name) => handler;
    }

    /// <summary>Answers 200 at once, or never (until the request is cancelled) while <see cref="Hang"/> is set.</summary>
    private sealed class ScriptedHandler : HttpMessageHandler
    {
        private readonly ConcurrentQueue<string> _requested = new();
        private readonly TaskCompletionSource _hanging = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public bool Hang { get; set; }

        public IReadOnlyList<string> Requested => [.. _requested];

        /// <summary>Completes once a request is hanging, so that the clock moves only after its deadline was set.</summary>
        public Task Hanging => _hanging.Task;

        protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
        {
            _requested.Enqueue(request.RequestUri!.ToString());
            if (Hang)
            {
                _hanging.TrySetResult();
                await Task.Delay(Timeout.Infinite, cancellationToken);
            }

            return new HttpResponseMessage(HttpStatusCode.OK);
        }
    }
}
