using System.Collections.Concurrent;
using Gateway.Application.Health;
using Gateway.Application.Operations;
using Gateway.Application.Telemetry;
using Gateway.Domain;
using Gateway.Domain.LoadBalancing;
using Gateway.UnitTests.TestSupport;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Testing;
using Microsoft.Extensions.Options;
using NSubstitute;

namespace Gateway.UnitTests.Application.Health;

public sealed class CheckHealthCommandHandlerTests
{
    private const string Refused = "connection refused";

    private static readonly TimeSpan Deadline = TimeSpan.FromSeconds(10);
    private static readonly HealthThresholds ThreeDownTwoUp = new(unhealthyThreshold: 3, healthyThreshold: 2);

    private readonly IHealthProbe _probe = Substitute.For<IHealthProbe>();
    private readonly FakeLogger<CheckHealthCommandHandler> _logger = new();
    private readonly EventTimeline _timeline = new(TimeProvider.System);
    private readonly Lock _downLock = new();
    private readonly HashSet<Instance> _down = [];
    private Func<Instance, CancellationToken, Task<HealthCheckResult>> _probeWith;

    public CheckHealthCommandHandlerTests()
    {
        _probeWith = (instance, _) => Task.FromResult(IsDown(instance) ? Failed(Refused) : Passed());

        // Configured once, through a field the tests replace: configuring the substitute again would call the
        // previous answer with null arguments.
        _probe.ProbeAsync(default!, default!, default)
            .ReturnsForAnyArgs(call => _probeWith(call.ArgAt<Instance>(1), call.ArgAt<CancellationToken>(2)));
    }

    [Fact]
    public async Task Handle_UnhealthyThresholdThree_TakesTheInstanceOutOnExactlyTheThirdFailedRound()
    {
        var registry = Registry(Orders(instances: 2));
        var handler = Handler(registry, ThreeDownTwoUp);
        var a = Instance(registry, "orders", "a");
        SetDown(a);

        var rounds = await RunRoundsAsync(handler, 3, a);

        rounds.Select(round => round.Healthy).ShouldBe([true, true, false]);
        rounds.Select(round => round.Changed).ShouldBe([0, 0, 1]);
        a.Health.Source.ShouldBe(HealthSource.Active);
        a.Health.Cause.ShouldBe(Refused);
    }

    [Fact]
    public async Task Handle_HealthyThresholdTwo_BringsTheInstanceBackOnExactlyTheSecondPassingRound()
    {
        var registry = Registry(Orders(instances: 2));
        var handler = Handler(registry, ThreeDownTwoUp);
        var a = Instance(registry, "orders", "a");
        SetDown(a);
        await RunRoundsAsync(handler, 3, a);
        a.Health.IsHealthy.ShouldBeFalse();
        SetUp(a);

        var rounds = await RunRoundsAsync(handler, 2, a);

        rounds.Select(round => round.Healthy).ShouldBe([false, true]);
        rounds.Select(round => round.Changed).ShouldBe([0, 1]);
        a.Health.Source.ShouldBeNull();
        a.Health.Cause.ShouldBeNull();
    }

    [Fact]
    public async Task Handle_ServiceSetsOnlyItsUnhealthyThreshold_ItOverridesTheGatewaysForThatServiceAlone()
    {
        var registry = Registry(Orders(instances: 2) with { UnhealthyThreshold = 1 }, Billing(instances: 2));
        var handler = Handler(registry, ThreeDownTwoUp);
        var ordersA = Instance(registry, "orders", "a");
        var billingA = Instance(registry, "billing", "a");
        SetDown(ordersA, billingA);

        await handler.Handle(new CheckHealthCommand(), CancellationToken.None);

        ordersA.Health.IsHealthy.ShouldBeFalse("orders goes out after its own 1 failure");
        billingA.Health.IsHealthy.ShouldBeTrue("billing keeps the gateway's 3");

        // Its healthy threshold is still the gateway's 2.
        SetUp(ordersA);
        var back = await RunRoundsAsync(handler, 2, ordersA);
        back.Select(round => round.Healthy).ShouldBe([false, true]);
    }

    [Fact]
    public async Task Handle_ServiceSetsOnlyItsHealthyThreshold_ItOverridesTheGatewaysForThatServiceAlone()
    {
        var registry = Registry(Orders(instances: 2) with { HealthyThreshold = 1 }, Billing(instances: 2));
        var handler = Handler(registry, ThreeDownTwoUp);
        var ordersA = Instance(registry, "orders", "a");
        var billingA = Instance(registry, "billing", "a");
        SetDown(ordersA, billingA);
        var outRounds = await RunRoundsAsync(handler, 3, ordersA);
        outRounds.Select(round => round.Healthy).ShouldBe([true, true, false], "its unhealthy threshold is still the gateway's 3");
        billingA.Health.IsHealthy.ShouldBeFalse();
        SetUp(ordersA, billingA);

        await handler.Handle(new CheckHealthCommand(), CancellationToken.None);

        ordersA.Health.IsHealthy.ShouldBeTrue("orders comes back after its own 1 pass");
        billingA.Health.IsHealthy.ShouldBeFalse("billing needs the gateway's 2");
    }

    [Fact]
    public async Task Handle_Rounds_CountCheckedHealthyAndChangedInstances()
    {
        var registry = Registry(Orders(instances: 3), Billing(instances: 2));
        var handler = Handler(registry, HealthThresholds.Default);
        SetDown(Instance(registry, "orders", "b"), Instance(registry, "billing", "a"));

        var firstDown = await handler.Handle(new CheckHealthCommand(), CancellationToken.None);
        var stillDown = await handler.Handle(new CheckHealthCommand(), CancellationToken.None);
        SetUp(Instance(registry, "orders", "b"), Instance(registry, "billing", "a"));
        var backUp = await handler.Handle(new CheckHealthCommand(), CancellationToken.None);

        firstDown.ShouldBe(new CheckHealthResult(Checked: 5, Healthy: 3, Changed: 2));
        stillDown.ShouldBe(new CheckHealthResult(Checked: 5, Healthy: 3, Changed: 0));
        backUp.ShouldBe(new CheckHealthResult(Checked: 5, Healthy: 5, Changed: 2));
    }

    [Fact]
    public async Task Handle_InstanceFailsThenRecovers_LeavesAvailableInstancesAndReturnsToItsPlace()
    {
        var registry = Registry(Orders(instances: 3));
        var handler = Handler(registry, HealthThresholds.Default);
        var orders = Service(registry, "orders");
        var b = orders.Instances[1];
        SetDown(b);

        await handler.Handle(new CheckHealthCommand(), CancellationToken.None);

        TestInstances.Hosts(orders.AvailableInstances).ShouldBe("a c");
        TestServices.PickMany(orders, 6).ShouldNotContain(b);

        SetUp(b);
        await handler.Handle(new CheckHealthCommand(), CancellationToken.None);

        TestInstances.Hosts(orders.AvailableInstances).ShouldBe("a b c");
    }

    [Fact]
    public async Task Handle_FortyInstancesAndFourProbesAtATime_HasExactlyFourInFlightAtOnce()
    {
        var hosts = Enumerable.Range(1, 40).Select(i => new InstanceDefinition($"10.0.0.{i}", TestInstances.Port)).ToArray();
        var registry = Registry(TestServices.Define("orders", LoadBalancerNames.RoundRobin, hosts));
        var handler = Handler(registry, HealthThresholds.Default, maxConcurrentProbes: 4);
        var inFlight = 0;
        var maxInFlight = 0;
        var held = new ConcurrentQueue<TaskCompletionSource>();
        using var arrived = new SemaphoreSlim(0);
        _probeWith = async (_, _) =>
        {
            var now = Interlocked.Increment(ref inFlight);
            lock (held)
            {
                maxInFlight = Math.Max(maxInFlight, now);
            }

            var release = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            held.Enqueue(release);
            arrived.Release();
            await release.Task;
            Interlocked.Decrement(ref inFlight);
            return Passed();
        };

        // Every probe is held until the test lets it go. The first four must arrive with none let go: under too low
        // a bound the fourth never does, and the wait times out. After that the test lets the oldest go, one at a
        // time, and waits for the one probe that may then start, so four are held at every step. Too high a bound
        // has queued its extra worker before the fourth probe started, ahead of every probe the test lets go; once
        // that worker runs (it needs no release to) it is a fifth in flight, and the maximum shows it.
        var handling = handler.Handle(new CheckHealthCommand(), CancellationToken.None);
        for (var probe = 1; probe <= 4; probe++)
        {
            (await arrived.WaitAsync(Deadline)).ShouldBeTrue($"probe {probe} did not start within {Deadline}");
        }

        for (var probe = 5; probe <= 40; probe++)
        {
            Volatile.Read(ref inFlight).ShouldBe(4, $"before probe {probe}");
            held.TryDequeue(out var oldest).ShouldBeTrue();
            oldest.SetResult();
            (await arrived.WaitAsync(Deadline)).ShouldBeTrue($"probe {probe} did not start within {Deadline}");
        }

        while (held.TryDequeue(out var last))
        {
            last.SetResult();
        }

        var result = await handling.WaitAsync(Deadline);

        result.Checked.ShouldBe(40);
        maxInFlight.ShouldBe(4);
        Volatile.Read(ref inFlight).ShouldBe(0);
    }

    [Fact]
    public async Task Handle_OneProbeHangs_TheOthersCompleteMeanwhile()
    {
        var registry = Registry(Orders(instances: 5));
        var handler = Handler(registry, HealthThresholds.Default, maxConcurrentProbes: 2);
        var orders = Service(registry, "orders");
        var hung = orders.Instances[0];
        var others = orders.Instances.Skip(1).ToArray();
        var hang = new TaskCompletionSource<HealthCheckResult>(TaskCreationOptions.RunContinuationsAsynchronously);
        var othersProbed = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var otherProbes = 0;
        _probeWith = (instance, _) =>
        {
            if (instance == hung)
            {
                return hang.Task;
            }

            if (Interlocked.Increment(ref otherProbes) == others.Length)
            {
                othersProbed.SetResult();
            }

            return Task.FromResult(Passed());
        };

        // Two probes at a time: the stuck one holds one slot and the other four must all pass through the second.
        var handling = handler.Handle(new CheckHealthCommand(), CancellationToken.None);
        await othersProbed.Task.WaitAsync(Deadline);

        handling.IsCompleted.ShouldBeFalse("the hung probe has not been released");

        var timedOut = Failed("timed out after 5 s");
        hang.SetResult(timedOut);
        var result = await handling.WaitAsync(Deadline);

        result.ShouldBe(new CheckHealthResult(Checked: 5, Healthy: 4, Changed: 1));
        others.ShouldAllBe(instance => instance.Health.LastCheck != null && instance.Health.LastCheck.Healthy);
        hung.Health.LastCheck.ShouldBe(timedOut);
    }

    [Fact]
    public async Task Handle_StateChangesOverSeveralRounds_LogsEachChangeOnceNamingServiceInstanceAndCause()
    {
        var registry = Registry(Orders(instances: 2));
        var handler = Handler(registry, new HealthThresholds(unhealthyThreshold: 2, healthyThreshold: 2));
        var a = Instance(registry, "orders", "a");
        SetDown(a);
        await RunRoundsAsync(handler, 4, a);
        SetUp(a);

        await RunRoundsAsync(handler, 4, a);

        _logger.Collector.GetSnapshot().Count.ShouldBe(2);
        var takenOut = _logger.Collector.GetSnapshot()[0];
        takenOut.Level.ShouldBe(LogLevel.Warning);
        takenOut.Message.ShouldBe("orders a:8080 is unhealthy and out of rotation: connection refused");
        takenOut.GetStructuredStateValue("Service").ShouldBe("orders");
        takenOut.GetStructuredStateValue("InstanceId").ShouldBe("a:8080");
        takenOut.GetStructuredStateValue("Cause").ShouldBe(Refused);
        var backIn = _logger.Collector.GetSnapshot()[1];
        backIn.Level.ShouldBe(LogLevel.Information);
        backIn.Message.ShouldBe("orders a:8080 is healthy and back in rotation");
        backIn.GetStructuredStateValue("Service").ShouldBe("orders");
        backIn.GetStructuredStateValue("InstanceId").ShouldBe("a:8080");
    }

    [Fact]
    public async Task Handle_TokenCancelled_CancelsTheProbesInFlightAndStartsNoMore()
    {
        var registry = Registry(Orders(instances: 10));
        var handler = Handler(registry, HealthThresholds.Default, maxConcurrentProbes: 4);
        var tokens = new List<CancellationToken>();
        var fourStarted = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        _probeWith = async (_, token) =>
        {
            lock (tokens)
            {
                tokens.Add(token);
                if (tokens.Count == 4)
                {
                    fourStarted.SetResult();
                }
            }

            await Task.Delay(Timeout.InfiniteTimeSpan, token);
            return Passed();
        };
        using var shutdown = new CancellationTokenSource();
        var handling = handler.Handle(new CheckHealthCommand(), shutdown.Token);
        await fourStarted.Task.WaitAsync(Deadline);

        await shutdown.CancelAsync();

        await Should.ThrowAsync<OperationCanceledException>(handling.WaitAsync(Deadline));
        tokens.Count.ShouldBe(4);
        tokens.ShouldAllBe(token => token.IsCancellationRequested);
        registry.Services.SelectMany(service => service.Instances).ShouldAllBe(instance => instance.Health.LastCheck == null);
    }

    private static ServiceDefinition Orders(int instances) =>
        TestServices.Define("orders", LoadBalancerNames.RoundRobin, TestServices.Weighted([.. Enumerable.Repeat(1, instances)]));

    private static ServiceDefinition Billing(int instances) =>
        TestServices.Define("billing", LoadBalancerNames.RoundRobin, TestServices.Weighted([.. Enumerable.Repeat(1, instances)]));

    private static ServiceRegistry Registry(params ServiceDefinition[] services) => new(new LoadBalancerFactory(), services);

    private static Service Service(ServiceRegistry registry, string name) =>
        registry.TryGetService(name, out var service) ? service : throw new ShouldAssertException($"No service '{name}'.");

    private static Instance Instance(ServiceRegistry registry, string service, string host) =>
        Service(registry, service).FindInstance($"{host}:{TestInstances.Port}").ShouldNotBeNull();

    private static HealthCheckResult Passed() => new(TestServices.Now, Healthy: true, TimeSpan.FromMilliseconds(3));

    private static HealthCheckResult Failed(string error) => new(TestServices.Now, Healthy: false, TimeSpan.FromMilliseconds(3), error);

    private static async Task<List<(bool Healthy, int Changed)>> RunRoundsAsync(
        CheckHealthCommandHandler handler, int rounds, Instance watched)
    {
        var seen = new List<(bool Healthy, int Changed)>();
        for (var round = 0; round < rounds; round++)
        {
            var result = await handler.Handle(new CheckHealthCommand(), CancellationToken.None);
            seen.Add((watched.Health.IsHealthy, result.Changed));
        }

        return seen;
    }

    private CheckHealthCommandHandler Handler(ServiceRegistry registry, HealthThresholds thresholds, int maxConcurrentProbes = 16) =>
        new(
            registry,
            _probe,
            Options.Create(new HealthCheckOptions { Thresholds = thresholds, MaxConcurrentProbes = maxConcurrentProbes }),
            new GatewayMetrics(new TestMeterFactory(), registry),
            _timeline,
            _logger);

    private bool IsDown(Instance instance)
    {
        lock (_downLock)
        {
            return _down.Contains(instance);
        }
    }

    private void SetDown(params Instance[] instances)
    {
        lock (_downLock)
        {
            _down.UnionWith(instances);
        }
    }

    private void SetUp(params Instance[] instances)
    {
        lock (_downLock)
        {
            _down.ExceptWith(instances);
        }
    }
}
