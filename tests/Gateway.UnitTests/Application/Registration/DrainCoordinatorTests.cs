using Gateway.Application.Operations;
using Gateway.Application.Registration;
using Gateway.Domain;
using Gateway.Domain.LoadBalancing;
using Gateway.UnitTests.TestSupport;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Testing;
using Microsoft.Extensions.Options;
using NSubstitute;
using NSubstitute.ExceptionExtensions;

namespace Gateway.UnitTests.Application.Registration;

/// <summary>
/// Drains on a fake clock. The coordinator polls with <c>Task.Delay</c> on that clock; each step waits until it has
/// set its next timer (it has looked at the in-flight count and is waiting again) before the test changes anything
/// or moves the clock, so no step depends on which thread the coordinator runs on.
/// </summary>
public sealed class DrainCoordinatorTests : IAsyncDisposable
{
    private const string Service = "orders";

    private static readonly TimeSpan Deadline = TimeSpan.FromSeconds(10);
    private static readonly TimeSpan PollInterval = TimeSpan.FromMilliseconds(100);
    private static readonly TimeSpan DrainTimeout = TimeSpan.FromSeconds(1);

    private readonly TimerWatchingTimeProvider _time = new(TestServices.Now);
    private readonly EventTimeline _timeline = new(TimeProvider.System);
    private readonly IRegistrationStore _store = Substitute.For<IRegistrationStore>();
    private readonly FakeLogger<DrainCoordinator> _logger = new();
    private readonly ServiceRegistry _registry = new(new LoadBalancerFactory());
    private readonly DrainCoordinator _coordinator;
    private readonly CancellationTokenSource _stopping = new();
    private readonly Task _worker;

    public DrainCoordinatorTests()
    {
        _store.RemoveAsync(default!, default!, default).ReturnsForAnyArgs(true);
        _coordinator = new DrainCoordinator(
            _store, _registry, Options.Create(new RegistrationOptions { DrainTimeout = DrainTimeout }), _time, _timeline, _logger);
        _worker = _coordinator.RunAsync(_stopping.Token);
    }

    public async ValueTask DisposeAsync()
    {
        await _stopping.CancelAsync();
        await _worker.WaitAsync(Deadline);
        _stopping.Dispose();
    }

    [Fact]
    public async Task RunAsync_Stopped_EndsTheDrainInProgressWithoutTouchingTheStore()
    {
        var instance = Draining(dynamic: true, inFlight: 1);
        var drain = _coordinator.Track(Service, instance);
        await _time.WaitForTimerAsync(Deadline);

        await _stopping.CancelAsync();

        await _worker.WaitAsync(Deadline);
        drain.IsCanceled.ShouldBeTrue();
        instance.IsDraining.ShouldBeTrue();
        await _store.DidNotReceiveWithAnyArgs().RemoveAsync(default!, default!, default);
        _logger.Collector.GetSnapshot().ShouldContain(entry => entry.Message.Contains("stopped by shutdown"));
    }

    [Fact]
    public async Task Track_DrainFailsWithABug_LogsItAndTheWorkerGoesOn()
    {
        _store.RemoveAsync(default!, default!, default).ThrowsAsyncForAnyArgs(new InvalidOperationException("a bug"));
        var failed = _coordinator.Track(Service, Draining(dynamic: true, inFlight: 0));

        await Should.ThrowAsync<InvalidOperationException>(failed.WaitAsync(Deadline));
        _store.RemoveAsync(default!, default!, default).ReturnsForAnyArgs(true);
        await _coordinator.Track(Service, Draining(dynamic: true, inFlight: 0)).WaitAsync(Deadline);

        _logger.Collector.GetSnapshot().ShouldContain(entry => entry.Level == LogLevel.Error && entry.Exception is InvalidOperationException);
        _worker.IsCompleted.ShouldBeFalse();
    }

    [Fact]
    public async Task Track_AfterStop_IsCanceledAtOnce()
    {
        await _stopping.CancelAsync();
        await _worker.WaitAsync(Deadline);

        var drain = _coordinator.Track(Service, Draining(dynamic: true, inFlight: 0));

        drain.IsCanceled.ShouldBeTrue();
    }

    [Fact]
    public async Task Track_DynamicWithRequestsInFlight_RemovesItOnlyOnceTheyHaveFinished()
    {
        var instance = Draining(dynamic: true, inFlight: 2);

        var drain = _coordinator.Track(Service, instance);

        await _time.WaitForTimerAsync(Deadline);
        await PollAsync();
        instance.EndRequest();
        await PollAsync();
        await _store.DidNotReceiveWithAnyArgs().RemoveAsync(default!, default!, default);
        instance.EndRequest();
        _time.Advance(PollInterval);
        await drain.WaitAsync(Deadline);
        await _store.Received(1).RemoveAsync(Service, "a:8080", Arg.Any<CancellationToken>());
    }

    [Fact]
    public async Task Track_DynamicWithNothingInFlight_RemovesItWithoutTheClockMoving()
    {
        var instance = Draining(dynamic: true, inFlight: 0);

        await _coordinator.Track(Service, instance).WaitAsync(Deadline);

        await _store.Received(1).RemoveAsync(Service, "a:8080", Arg.Any<CancellationToken>());
        _time.GetUtcNow().ShouldBe(TestServices.Now);
        var drained = _timeline.Latest(1).ShouldHaveSingleItem();
        (drained.Kind, drained.Service, drained.Instance, drained.Cause).ShouldBe(("drained", Service, "a:8080", "no requests left in flight"));
    }

    [Fact]
    public async Task Track_RequestsStillInFlightAtTheDrainTimeout_RemovesItAnyway()
    {
        var instance = Draining(dynamic: true, inFlight: 1);

        var drain = _coordinator.Track(Service, instance);

        await _time.WaitForTimerAsync(Deadline);
        _time.Advance(DrainTimeout - PollInterval);
        await _time.WaitForTimerAsync(Deadline);
        await _store.DidNotReceiveWithAnyArgs().RemoveAsync(default!, default!, default);
        _time.Advance(PollInterval);
        await drain.WaitAsync(Deadline);
        await _store.Received(1).RemoveAsync(Service, "a:8080", Arg.Any<CancellationToken>());
        instance.ActiveRequests.ShouldBe(1);
        _timeline.Latest(1).ShouldHaveSingleItem().Cause.ShouldBe("drain timeout passed with 1 in flight; they were ended");
    }

    [Fact]
    public async Task Track_ExchangesStillOpenAtTheDrainTimeout_AreEnded()
    {
        var instance = Draining(dynamic: false, inFlight: 1);
        var socket = instance.Retirement;

        var drain = _coordinator.Track(Service, instance);

        await _time.WaitForTimerAsync(Deadline);
        _time.Advance(DrainTimeout - PollInterval);
        await _time.WaitForTimerAsync(Deadline);
        socket.IsCancellationRequested.ShouldBeFalse("an open socket outlives the drain until its timeout");
        _time.Advance(PollInterval);
        await drain.WaitAsync(Deadline);
        socket.IsCancellationRequested.ShouldBeTrue();
        instance.Retirement.IsCancellationRequested.ShouldBeFalse("exchanges begun later are not ended with it");
    }

    [Fact]
    public async Task Track_ExchangesFinishingBeforeTheTimeout_EndsNothing()
    {
        var instance = Draining(dynamic: false, inFlight: 1);
        var socket = instance.Retirement;

        var drain = _coordinator.Track(Service, instance);

        await _time.WaitForTimerAsync(Deadline);
        instance.EndRequest();
        _time.Advance(PollInterval);
        await drain.WaitAsync(Deadline);
        socket.IsCancellationRequested.ShouldBeFalse();
    }

    [Fact]
    public async Task Track_ConfiguredInstance_IsNeverRemovedAndStaysDrained()
    {
        var instance = Draining(dynamic: false, inFlight: 1);

        var drain = _coordinator.Track(Service, instance);

        await _time.WaitForTimerAsync(Deadline);
        _time.Advance(DrainTimeout);
        await drain.WaitAsync(Deadline);
        await _store.DidNotReceiveWithAnyArgs().RemoveAsync(default!, default!, default);
        instance.IsDraining.ShouldBeTrue();
        _logger.Collector.GetSnapshot().ShouldContain(entry => entry.Level == LogLevel.Information && entry.Message.Contains("stays out of rotation"));
    }

    [Fact]
    public async Task Track_ConfiguredInstanceWithNothingInFlight_IsNotRemoved()
    {
        var instance = Draining(dynamic: false, inFlight: 0);

        await _coordinator.Track(Service, instance).WaitAsync(Deadline);

        await _store.DidNotReceiveWithAnyArgs().RemoveAsync(default!, default!, default);
    }

    [Fact]
    public async Task Track_RegisteredAgainWhileDraining_DoesNotRemoveTheFreshRegistration()
    {
        var instance = Draining(dynamic: true, inFlight: 1);
        var drain = _coordinator.Track(Service, instance);
        await _time.WaitForTimerAsync(Deadline);

        // What the composer does when a snapshot comes without the mark: the store dropped it on the new registration.
        instance.SetDraining(false);
        instance.EndRequest();
        _time.Advance(PollInterval);

        await drain.WaitAsync(Deadline);
        await _store.DidNotReceiveWithAnyArgs().RemoveAsync(default!, default!, default);
    }

    [Fact]
    public async Task Track_RegisteredAgainWithAnotherWeightWhileDraining_DoesNotRemoveTheNewInstance()
    {
        var instance = Draining(dynamic: true, inFlight: 1);
        var drain = _coordinator.Track(Service, instance);
        await _time.WaitForTimerAsync(Deadline);

        // A new weight makes a new instance under the same id; the drained one leaves the registry.
        _registry.ReplaceAll([Orders(new InstanceDefinition("a", TestInstances.Port, Weight: 5, IsDynamic: true))]);
        instance.EndRequest();
        _time.Advance(PollInterval);

        await drain.WaitAsync(Deadline);
        await _store.DidNotReceiveWithAnyArgs().RemoveAsync(default!, default!, default);
    }

    [Fact]
    public async Task Track_StoreUnavailable_EndsTheDrainAndLogsAWarning()
    {
        _store.RemoveAsync(default!, default!, default).ThrowsAsyncForAnyArgs(new RegistrationStoreUnavailableException("etcd is down"));
        var instance = Draining(dynamic: true, inFlight: 0);

        await _coordinator.Track(Service, instance).WaitAsync(Deadline);

        var warning = _logger.Collector.GetSnapshot().ShouldHaveSingleItem();
        warning.Level.ShouldBe(LogLevel.Warning);
        warning.GetStructuredStateValue("InstanceId").ShouldBe("a:8080");
        warning.Message.ShouldContain("etcd is down");
    }

    /// <summary>Lets one poll pass: the coordinator is waiting, the clock moves, and it is waiting again.</summary>
    private async Task PollAsync()
    {
        _time.Advance(PollInterval);
        await _time.WaitForTimerAsync(Deadline);
    }

    /// <summary>Instance a of orders, live in the registry and marked draining as the drain command leaves it.</summary>
    private Instance Draining(bool dynamic, int inFlight)
    {
        _registry.ReplaceAll([Orders(new InstanceDefinition("a", TestInstances.Port, IsDynamic: dynamic))]);
        var instance = _registry.Services.Single().Instances.Single();
        instance.SetDraining(true);
        for (var i = 0; i < inFlight; i++)
        {
            instance.BeginRequest();
        }

        return instance;
    }

    private static ServiceDefinition Orders(params InstanceDefinition[] instances) =>
        TestServices.Define(Service, LoadBalancerNames.RoundRobin, instances);
}
