using System.Globalization;
using Gateway.Application.Forwarding;
using Gateway.Application.Health;
using Gateway.Application.Operations;
using Gateway.Application.Telemetry;
using Gateway.Application.Traffic;
using Gateway.Domain;
using Gateway.Domain.LoadBalancing;
using Gateway.UnitTests.TestSupport;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Logging.Testing;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Time.Testing;
using NSubstitute;

namespace Gateway.UnitTests.Application.Forwarding;

public sealed class ForwardRequestCommandHandlerTests
{
    private const int Threshold = 3;

    private static readonly TimeSpan Elapsed = TimeSpan.FromMilliseconds(12);

    private readonly IRequestForwarder _forwarder = Substitute.For<IRequestForwarder>();
    private readonly FakeTimeProvider _time = new(TestServices.Now);
    private readonly EventTimeline _timeline;
    private readonly FakeLogger<ForwardRequestCommandHandler> _logger = new();
    private readonly Dictionary<string, Queue<Func<UpstreamResult>>> _answers = [];
    private readonly List<Instance> _forwardedTo = [];
    private Func<UpstreamRequest, CancellationToken, Task<UpstreamResult>> _forwardWith;

    public ForwardRequestCommandHandlerTests()
    {
        _timeline = new EventTimeline(_time);
        _forwardWith = (request, _) => Task.FromResult(Answer(request));

        // Configured once, through a field the tests replace: configuring the substitute again would call the
        // previous answer with null arguments.
        _forwarder.ForwardAsync(default!, default)
            .ReturnsForAnyArgs(call => _forwardWith(call.Arg<UpstreamRequest>(), call.Arg<CancellationToken>()));
    }

    [Fact]
    public async Task Handle_UnknownService_ReturnsUnknownService()
    {
        var handler = Handler(Registry(instances: 2));

        await using var result = await handler.Handle(Command("payments"), CancellationToken.None);

        result.Status.ShouldBe(ForwardStatus.UnknownService);
        result.Service.ShouldBe("payments");
        result.Instance.ShouldBeNull();
        _forwardedTo.ShouldBeEmpty();
    }

    [Fact]
    public async Task Handle_NoAvailableInstance_ReturnsNoHealthyInstance()
    {
        var registry = Registry(instances: 2);
        var orders = Orders(registry);
        TestServices.TakeOut(orders.Instances[0]);
        TestServices.TakeOut(orders.Instances[1]);
        var handler = Handler(registry);

        await using var result = await handler.Handle(Command(), CancellationToken.None);

        result.Status.ShouldBe(ForwardStatus.NoHealthyInstance);
        result.Service.ShouldBe("orders");
        result.Instance.ShouldBeNull();
        _forwardedTo.ShouldBeEmpty();
        _logger.Collector.GetSnapshot().ShouldHaveSingleItem().Message.ShouldBe("GET orders: no healthy instance");
    }

    [Fact]
    public async Task Handle_AnswersAndFailures_AreCountedInTheInstancesTraffic()
    {
        var registry = Registry(instances: 1);
        var instance = Orders(registry).Instances[0];
        AnswerAs(instance.Host, () => Answered(200), () => Answered(503), Unreachable);
        var handler = Handler(registry);

        for (var i = 0; i < 3; i++)
        {
            await using var result = await handler.Handle(Command(), CancellationToken.None);
        }

        _time.Advance(TimeSpan.FromSeconds(TrafficWindow.SlotSeconds));
        var total = new TrafficHistory(_time).Total([instance], 1);
        total.Requests.ShouldBe(3);
        total.Failures.ShouldBe(2);
        // 12 ms each, in the 10-25 ms bin: the median is interpolated half way through it.
        total.LatencyMs(0.5).ShouldBe(17.5);
    }

    [Fact]
    public async Task Handle_ServiceWithoutInstances_ReturnsNoHealthyInstance()
    {
        var registry = new ServiceRegistry(new LoadBalancerFactory(), [TestServices.Define("orders", LoadBalancerNames.RoundRobin)]);
        var handler = Handler(registry);

        await using var result = await handler.Handle(Command(), CancellationToken.None);

        result.Status.ShouldBe(ForwardStatus.NoHealthyInstance);
    }

    [Fact]
    public async Task Handle_Forwarded_CountsTheRequestInFlightUntilTheResultIsDisposed()
    {
        var registry = Registry(instances: 1);
        var a = Orders(registry).Instances[0];
        var response = Response(200);
        var command = Command();
        UpstreamRequest? sent = null;
        var inFlightWhileForwarding = -1;
        _forwardWith = (request, _) =>
        {
            sent = request;
            inFlightWhileForwarding = request.Instance.ActiveRequests;
            return Task.FromResult(UpstreamResult.Responded(response, Elapsed));
        };
        var handler = Handler(registry);

        var result = await handler.Handle(command, CancellationToken.None);

        result.Status.ShouldBe(ForwardStatus.Forwarded);
        result.Instance.ShouldBeSameAs(a);
        result.Response.ShouldBeSameAs(response);
        result.UpstreamElapsed.ShouldBe(Elapsed);
        var received = sent.ShouldNotBeNull();
        received.Command.ShouldBeSameAs(command);
        received.Service.ShouldBeSameAs(Orders(registry));
        received.Instance.ShouldBeSameAs(a);
        inFlightWhileForwarding.ShouldBe(1);
        a.ActiveRequests.ShouldBe(1, "the body is still to be copied to the client");

        await result.DisposeAsync();

        a.ActiveRequests.ShouldBe(0);
        await response.Received(1).DisposeAsync();
    }

    [Fact]
    public async Task Handle_ForwardedResultDisposedTwice_EndsTheRequestOnce()
    {
        var registry = Registry(instances: 1);
        var a = Orders(registry).Instances[0];
        var result = await Handler(registry).Handle(Command(), CancellationToken.None);

        await result.DisposeAsync();
        await result.DisposeAsync();

        a.ActiveRequests.ShouldBe(0);
    }

    [Theory]
    [InlineData(UpstreamOutcome.TimedOut, ForwardStatus.UpstreamTimeout)]
    [InlineData(UpstreamOutcome.Unreachable, ForwardStatus.UpstreamUnreachable)]
    [InlineData(UpstreamOutcome.ClientAborted, ForwardStatus.ClientAborted)]
    [InlineData(UpstreamOutcome.RequestBodyFailed, ForwardStatus.RequestBodyFailed)]
    [InlineData(UpstreamOutcome.Unforwardable, ForwardStatus.Unforwardable)]
    public async Task Handle_UpstreamFails_ReturnsItsStatusAndEndsTheRequest(UpstreamOutcome outcome, ForwardStatus expected)
    {
        var registry = Registry(instances: 1);
        var a = Orders(registry).Instances[0];
        var error = new HttpRequestException("it went wrong");
        AnswerAs("a", () => UpstreamResult.Failed(outcome, Elapsed, error));

        await using var result = await Handler(registry).Handle(Command(), CancellationToken.None);

        result.Status.ShouldBe(expected);
        result.Instance.ShouldBeSameAs(a);
        result.Response.ShouldBeNull();
        result.Error.ShouldBeSameAs(error);
        result.UpstreamElapsed.ShouldBe(Elapsed);
        a.ActiveRequests.ShouldBe(0);
    }

    [Fact]
    public async Task Handle_CircuitRefusesAPost_SendsItToAnotherInstance_WithoutBlamingTheFirst()
    {
        var registry = Registry(instances: 2);
        var orders = Orders(registry);
        var (a, b) = (orders.Instances[0], orders.Instances[1]);
        AnswerAs("a", () => UpstreamResult.Failed(UpstreamOutcome.NotSent, TimeSpan.Zero, new InvalidOperationException("circuit open")));

        await using var result = await Handler(registry).Handle(Command() with { Method = "POST" }, CancellationToken.None);

        result.Status.ShouldBe(ForwardStatus.Forwarded);
        result.Instance.ShouldBeSameAs(b);
        result.Attempts.ShouldBe(1, "the refused call never reached an instance");
        a.ConsecutivePassiveFailures.ShouldBe(0);
        a.ActiveRequests.ShouldBe(0);
    }

    [Fact]
    public async Task Handle_EveryCircuitRefuses_ReturnsNoHealthyInstance()
    {
        var registry = Registry(instances: 2);
        var refused = () => UpstreamResult.Failed(UpstreamOutcome.NotSent, TimeSpan.Zero, new InvalidOperationException("circuit open"));
        AnswerAs("a", refused);
        AnswerAs("b", refused);

        await using var result = await Handler(registry).Handle(Command(), CancellationToken.None);

        result.Status.ShouldBe(ForwardStatus.NoHealthyInstance);
        TestInstances.Hosts(_forwardedTo).ShouldBe("a b");
    }

    [Fact]
    public async Task Handle_VersionNamed_RetriesOnlyWithinThatVersion()
    {
        var registry = new ServiceRegistry(new LoadBalancerFactory(), [TestServices.Define(
            "orders",
            LoadBalancerNames.RoundRobin,
            new InstanceDefinition("a", TestInstances.Port) { Version = "1" },
            new InstanceDefinition("b", TestInstances.Port) { Version = "2" },
            new InstanceDefinition("c", TestInstances.Port) { Version = "2" })]);
        var refused = () => UpstreamResult.Failed(UpstreamOutcome.Unreachable, Elapsed, new HttpRequestException("Connection refused"));
        AnswerAs("b", refused);
        AnswerAs("c", refused);

        await using var result = await Handler(registry, maxAttempts: 3).Handle(Command() with { Headers = [new("Api-Version", "2")] }, CancellationToken.None);

        result.Status.ShouldBe(ForwardStatus.UpstreamUnreachable);
        TestInstances.Hosts(_forwardedTo).ShouldBe("b c");
    }

    [Fact]
    public async Task Handle_UnknownVersion_ReturnsTheVersionsAndForwardsNothing()
    {
        var registry = new ServiceRegistry(new LoadBalancerFactory(), [TestServices.Define(
            "orders", LoadBalancerNames.RoundRobin, new InstanceDefinition("a", TestInstances.Port) { Version = "1" })]);

        await using var result = await Handler(registry).Handle(Command() with { Headers = [new("Api-Version", "7")] }, CancellationToken.None);

        result.Status.ShouldBe(ForwardStatus.UnknownVersion);
        result.RequestedVersion.ShouldBe("7");
        result.Versions.ShouldBe(["1"]);
        _forwardedTo.ShouldBeEmpty();
    }

    [Fact]
    public async Task Handle_Unforwardable_IsNotRetriedAndBlamesNoInstance()
    {
        var registry = Registry(instances: 2);
        var a = Orders(registry).Instances[0];
        AnswerAs("a", () => UpstreamResult.Failed(UpstreamOutcome.Unforwardable, TimeSpan.Zero, new UnforwardableRequestException("bad header")));
        var handler = Handler(registry, maxAttempts: 3);

        await using var result = await handler.Handle(Command(), CancellationToken.None);

        result.Status.ShouldBe(ForwardStatus.Unforwardable);
        TestInstances.Hosts(_forwardedTo).ShouldBe("a");
        a.ConsecutivePassiveFailures.ShouldBe(0);
    }

    [Fact]
    public async Task Handle_UpgradeSentAndGotNoAnswer_IsNotRetriedElsewhere()
    {
        var registry = Registry(instances: 2);
        AnswerAs("a", Unreachable);
        var handler = Handler(registry, maxAttempts: 3);

        await using var result = await handler.Handle(Command() with { Upgrade = "websocket" }, CancellationToken.None);

        result.Status.ShouldBe(ForwardStatus.UpstreamUnreachable);
        TestInstances.Hosts(_forwardedTo).ShouldBe("a");
    }

    [Fact]
    public async Task Handle_ThresholdFailuresInARow_TakesTheInstanceOutPassively()
    {
        var registry = Registry(instances: 2);
        var orders = Orders(registry);
        var (a, b) = (orders.Instances[0], orders.Instances[1]);
        AnswerAs("a", Unreachable);
        var handler = Handler(registry);
        await SendAsync(handler, times: 4);
        TestInstances.Hosts(_forwardedTo).ShouldBe("a b a b");
        a.IsAvailable.ShouldBeTrue("two failures are one short of the threshold");
        _time.Advance(TimeSpan.FromMinutes(1));

        var third = await SendAsync(handler);

        third.ShouldBe((ForwardStatus.UpstreamUnreachable, a));
        orders.AvailableInstances.ShouldBe([b]);
        a.Health.IsHealthy.ShouldBeFalse();
        a.Health.Source.ShouldBe(HealthSource.Passive);
        a.Health.Since.ShouldBe(TestServices.Now + TimeSpan.FromMinutes(1));
        a.Health.Cause.ShouldBe("3 proxied requests failed in a row, the last: Connection refused (a:8080)");
        var ejected = _logger.Collector.GetSnapshot().Where(entry => entry.Message.Contains("is out of rotation", StringComparison.Ordinal)).ShouldHaveSingleItem();
        ejected.Level.ShouldBe(LogLevel.Warning);
        ejected.GetStructuredStateValue("Service").ShouldBe("orders");
        ejected.GetStructuredStateValue("InstanceId").ShouldBe("a:8080");
        ejected.GetStructuredStateValue("Cause").ShouldBe(a.Health.Cause);
        (await SendAsync(handler, times: 3)).ShouldBe((ForwardStatus.Forwarded, b));
    }

    [Fact]
    public async Task Handle_TimeoutsInARow_TakeTheInstanceOutPassively()
    {
        var registry = Registry(instances: 2);
        var orders = Orders(registry);
        AnswerAs("a", () => UpstreamResult.Failed(UpstreamOutcome.TimedOut, Elapsed, new TimeoutException("too slow")));
        var handler = Handler(registry);

        await SendAsync(handler, times: 5);

        TestInstances.Hosts(orders.AvailableInstances).ShouldBe("b");
        orders.Instances[0].Health.Cause.ShouldBe("3 proxied requests failed in a row, the last: timed out");
    }

    [Fact]
    public async Task Handle_LastAvailableInstanceKeepsFailing_KeepsItInRotationAndLogsThatOnce()
    {
        var registry = Registry(instances: 1);
        var orders = Orders(registry);
        var a = orders.Instances[0];
        AnswerAs("a", Unreachable);
        var handler = Handler(registry);

        var last = await SendAsync(handler, times: 2 * Threshold);

        last.ShouldBe((ForwardStatus.UpstreamUnreachable, a));
        a.IsAvailable.ShouldBeTrue();
        a.Health.IsHealthy.ShouldBeTrue();
        a.ConsecutivePassiveFailures.ShouldBe(2 * Threshold);
        orders.AvailableInstances.ShouldBe([a]);
        var kept = _logger.Collector.GetSnapshot().Where(entry => entry.Message.Contains("stays in rotation", StringComparison.Ordinal)).ShouldHaveSingleItem();
        kept.Level.ShouldBe(LogLevel.Warning);
        kept.GetStructuredStateValue("Service").ShouldBe("orders");
        kept.GetStructuredStateValue("InstanceId").ShouldBe("a:8080");
        kept.GetStructuredStateValue("Failures").ShouldBe(Threshold.ToString(CultureInfo.InvariantCulture));
    }

    [Fact]
    public async Task Handle_BothInstancesFailing_TakesOutTheFirstAndKeepsTheLast()
    {
        var registry = Registry(instances: 2);
        var orders = Orders(registry);
        var (a, b) = (orders.Instances[0], orders.Instances[1]);
        AnswerAs("a", Unreachable);
        AnswerAs("b", Unreachable);
        var handler = Handler(registry);

        await SendAsync(handler, times: 10);

        TestInstances.Hosts(_forwardedTo).ShouldBe("a b a b a b b b b b");
        a.IsAvailable.ShouldBeFalse();
        b.IsAvailable.ShouldBeTrue();
        orders.AvailableInstances.ShouldBe([b]);
        _logger.Collector.GetSnapshot().Count(entry => entry.Message.Contains("is out of rotation", StringComparison.Ordinal)).ShouldBe(1);
        _logger.Collector.GetSnapshot().Where(entry => entry.Message.Contains("stays in rotation", StringComparison.Ordinal))
            .ShouldHaveSingleItem().GetStructuredStateValue("InstanceId").ShouldBe("b:8080");
    }

    [Theory]
    [InlineData(500)]
    [InlineData(503)]
    public async Task Handle_ServerErrorResponsesInARow_CountAsFailures(int statusCode)
    {
        var registry = Registry(instances: 2);
        var orders = Orders(registry);
        var a = orders.Instances[0];
        AnswerAs("a", () => Answered(statusCode));
        var handler = Handler(registry);
        await SendAsync(handler, times: 4);

        await using var third = await handler.Handle(Command(), CancellationToken.None);

        third.Status.ShouldBe(ForwardStatus.Forwarded, "the client still gets the instance's answer");
        third.Instance.ShouldBeSameAs(a);
        third.Response.ShouldNotBeNull().StatusCode.ShouldBe(statusCode);
        a.ActiveRequests.ShouldBe(1);
        a.Health.Source.ShouldBe(HealthSource.Passive);
        a.Health.Cause.ShouldBe($"3 proxied requests failed in a row, the last: answered {statusCode}");
        TestInstances.Hosts(orders.AvailableInstances).ShouldBe("b");
    }

    [Theory]
    [InlineData(200)]
    [InlineData(204)]
    [InlineData(404)]
    [InlineData(499)]
    public async Task Handle_ResponseBelow500BetweenFailures_StartsTheRunAgain(int statusCode)
    {
        var registry = Registry(instances: 2);
        var a = Orders(registry).Instances[0];
        AnswerAs("a", Unreachable, Unreachable, () => Answered(statusCode), Unreachable, Unreachable, Unreachable);
        var handler = Handler(registry);

        await SendAsync(handler, times: 10);

        a.IsAvailable.ShouldBeTrue("the run was broken after two failures, and two more are one short");
        a.ConsecutivePassiveFailures.ShouldBe(2);

        await SendAsync(handler, times: 2);

        a.IsAvailable.ShouldBeFalse("the third failure since the good answer reaches the threshold");
    }

    [Theory]
    [InlineData(UpstreamOutcome.ClientAborted)]
    [InlineData(UpstreamOutcome.RequestBodyFailed)]
    public async Task Handle_ClientSideFailures_DoNotCountAgainstTheInstance(UpstreamOutcome outcome)
    {
        var registry = Registry(instances: 2);
        var a = Orders(registry).Instances[0];
        AnswerAs("a", () => UpstreamResult.Failed(outcome, Elapsed, new IOException("client went away")));
        var handler = Handler(registry);

        await SendAsync(handler, times: 4 * Threshold);

        a.IsAvailable.ShouldBeTrue();
        a.ConsecutivePassiveFailures.ShouldBe(0);
    }

    [Fact]
    public async Task Handle_ForwarderThrows_EndsTheRequestAndLetsTheExceptionThrough()
    {
        var registry = Registry(instances: 1);
        var a = Orders(registry).Instances[0];
        var bug = new InvalidOperationException("forwarder bug");
        _forwardWith = (_, _) => throw bug;

        var thrown = await Should.ThrowAsync<InvalidOperationException>(Handler(registry).Handle(Command(), CancellationToken.None));

        thrown.ShouldBeSameAs(bug);
        a.ActiveRequests.ShouldBe(0);
    }

    [Fact]
    public async Task Handle_ForwardingCancelled_EndsTheRequestAndLetsTheCancellationThrough()
    {
        var registry = Registry(instances: 1);
        var a = Orders(registry).Instances[0];
        using var aborted = new CancellationTokenSource();
        await aborted.CancelAsync();
        _forwardWith = (_, token) => Task.FromCanceled<UpstreamResult>(token);

        await Should.ThrowAsync<OperationCanceledException>(Handler(registry).Handle(Command(), aborted.Token));

        a.ActiveRequests.ShouldBe(0);
    }

    private static ServiceRegistry Registry(int instances) =>
        new(
            new LoadBalancerFactory(),
            [TestServices.Define("orders", LoadBalancerNames.RoundRobin, TestServices.Weighted([.. Enumerable.Repeat(1, instances)]))]);

    private static Service Orders(ServiceRegistry registry) =>
        registry.TryGetService("orders", out var orders) ? orders : throw new ShouldAssertException("No service 'orders'.");

    private static ForwardRequestCommand Command(string service = "orders") =>
        new(
            service,
            "GET",
            "/items?page=2",
            Headers: [],
            Body: null,
            ContentLength: null,
            Client: new ClientInfo("203.0.113.7", "http", "gateway.test"));

    private static IUpstreamResponse Response(int statusCode)
    {
        var response = Substitute.For<IUpstreamResponse>();
        response.StatusCode.Returns(statusCode);
        return response;
    }

    private static UpstreamResult Answered(int statusCode) => UpstreamResult.Responded(Response(statusCode), Elapsed);

    private static UpstreamResult Unreachable() =>
        UpstreamResult.Failed(
            UpstreamOutcome.Unreachable,
            Elapsed,
            new HttpRequestException("Connection refused (a:8080)"));

    /// <summary>The handler, by default with one attempt per request: most tests here are about passive health, not retries.</summary>
    private ForwardRequestCommandHandler Handler(ServiceRegistry registry, int maxAttempts = 1) =>
        new(
            registry,
            _forwarder,
            Options.Create(new HealthCheckOptions { PassiveFailureThreshold = Threshold }),
            Options.Create(new ResilienceOptions { MaxAttempts = maxAttempts }),
            new GatewayMetrics(new TestMeterFactory(), registry),
            new TrafficHistory(_time),
            _time,
            _timeline,
            _logger,
            new VersionRouter(new GatewayMetrics(new TestMeterFactory(), registry), NullLogger<VersionRouter>.Instance));

    /// <summary>Scripts the answers of the instance on <paramref name="host"/>; the last one repeats. Others answer 200.</summary>
    private void AnswerAs(string host, params Func<UpstreamResult>[] answers) => _answers[host] = new Queue<Func<UpstreamResult>>(answers);

    private UpstreamResult Answer(UpstreamRequest request)
    {
        _forwardedTo.Add(request.Instance);
        if (!_answers.TryGetValue(request.Instance.Host, out var script))
        {
            return Answered(200);
        }

        return script.Count > 1 ? script.Dequeue()() : script.Peek()();
    }

    /// <summary>Sends <paramref name="times"/> requests, each disposed as the controller would, and tells how the last ended.</summary>
    private static async Task<(ForwardStatus Status, Instance? Instance)> SendAsync(ForwardRequestCommandHandler handler, int times = 1)
    {
        (ForwardStatus, Instance?) last = default;
        for (var i = 0; i < times; i++)
        {
            await using var result = await handler.Handle(Command(), CancellationToken.None);
            last = (result.Status, result.Instance);
        }

        return last;
    }
}
