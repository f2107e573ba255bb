using Gateway.Api.Health;
using Gateway.Application.Health;
using Gateway.UnitTests.TestSupport;
using MediatR;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Testing;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Time.Testing;
using NSubstitute;

namespace Gateway.UnitTests.Api.Health;

/// <summary>
/// The worker against a fake clock whose timers note when they fire, and a substitute mediator whose rounds the test
/// starts, finishes and fails.
/// </summary>
/// <remarks>
/// Nothing here waits for something not to happen. The schedule is read from the ticks: the fake clock fires due
/// timers inside <see cref="FakeTimeProvider.Advance"/>, so once Advance returns, a tick that was due is recorded and
/// one that is not recorded was not due. Rounds are seen when they start (a wait with a deadline). "No further round"
/// is counted after <see cref="Microsoft.Extensions.Hosting.BackgroundService.StopAsync"/> has completed the worker, whose history is then final.
/// Which thread the worker resumes on does not matter to any assertion: it runs on the thread pool from start-up, as
/// in production, and a tick that comes before it is back waiting is kept by the timer rather than lost.
/// </remarks>
public sealed class HealthCheckWorkerTests : IAsyncLifetime, IDisposable
{
    private static readonly TimeSpan Deadline = TimeSpan.FromSeconds(10);
    private static readonly TimeSpan Interval = TimeSpan.FromSeconds(30);
    private static readonly TimeSpan OneMillisecond = TimeSpan.FromMilliseconds(1);
    private static readonly DateTimeOffset Start = TestServices.Now;
    private static readonly CheckHealthResult Checked = new(Checked: 3, Healthy: 3, Changed: 0);

    private readonly TimerWatchingTimeProvider _time = new(Start);
    private readonly IMediator _mediator = Substitute.For<IMediator>();
    private readonly FakeLogger<HealthCheckWorker> _logger = new();
    private readonly List<Round> _rounds = [];
    private readonly SemaphoreSlim _roundStarted = new(0);
    private readonly CancellationTokenSource _applicationStarted = new();
    private readonly ServiceProvider _services;
    private readonly HealthCheckWorker _worker;
    private Action<Round>? _duringRound;
    private int _roundsTaken;
    private int _mediatorsResolved;

    public HealthCheckWorkerTests()
    {
        _mediator.Send(Arg.Any<CheckHealthCommand>(), Arg.Any<CancellationToken>())
            .Returns(call => BeginRound(call.ArgAt<CancellationToken>(1)));
        _services = new ServiceCollection()
            .AddScoped(_ =>
            {
                Interlocked.Increment(ref _mediatorsResolved);
                return _mediator;
            })
            .BuildServiceProvider(new ServiceProviderOptions { ValidateScopes = true });
        _worker = new HealthCheckWorker(
            _services.GetRequiredService<IServiceScopeFactory>(),
            Options.Create(new HealthCheckOptions { Interval = Interval }),
            _time,
            Lifetime(_applicationStarted.Token),
            _logger);
        _applicationStarted.Cancel();
    }

    private int RoundsStarted
    {
        get
        {
            lock (_rounds)
            {
                return _rounds.Count;
            }
        }
    }

    [Fact]
    public async Task ExecuteAsync_BeforeTheServerListens_ProbesNobodyUntilItDoes()
    {
        using var listening = new CancellationTokenSource();
        var worker = new HealthCheckWorker(
            _services.GetRequiredService<IServiceScopeFactory>(),
            Options.Create(new HealthCheckOptions { Interval = Interval }),
            _time,
            Lifetime(listening.Token),
            _logger);
        await worker.StartAsync(CancellationToken.None);
        _time.Advance(Interval * 3);

        RoundsStarted.ShouldBe(0);
        await listening.CancelAsync();
        (await NextRoundAsync()).StartedAt.ShouldBe(Start + (Interval * 3));
        await worker.StopAsync(CancellationToken.None).WaitAsync(Deadline);
    }

    [Fact]
    public async Task ExecuteAsync_Started_RunsARoundAtOnceWithoutTheClockMoving()
    {
        await _worker.StartAsync(CancellationToken.None);

        var first = await NextRoundAsync();

        first.StartedAt.ShouldBe(Start);
        _time.GetUtcNow().ShouldBe(Start);
        _time.Ticks.ShouldBeEmpty();
    }

    [Fact]
    public async Task ExecuteAsync_IntervalNotYetElapsed_RunsNoSecondRound()
    {
        await _worker.StartAsync(CancellationToken.None);
        await FinishAsync(await NextRoundAsync());

        await AdvanceAsync(Interval - OneMillisecond);

        _time.Ticks.ShouldBeEmpty();
        RoundsStarted.ShouldBe(1);

        // The twin: a millisecond later the tick is there and the round follows, so the check above was not vacuous.
        await AdvanceAsync(OneMillisecond);
        _time.Ticks.ShouldBe([Start + Interval]);
        (await NextRoundAsync()).StartedAt.ShouldBe(Start + Interval);
    }

    [Fact]
    public async Task ExecuteAsync_IntervalElapsed_RunsExactlyOneMoreRound()
    {
        await _worker.StartAsync(CancellationToken.None);
        await FinishAsync(await NextRoundAsync());

        await AdvanceAsync(Interval);

        _time.Ticks.ShouldBe([Start + Interval]);
        var second = await NextRoundAsync();
        second.StartedAt.ShouldBe(Start + Interval);
        await FinishAsync(second);
        await _worker.StopAsync(CancellationToken.None).WaitAsync(Deadline);
        RoundsStarted.ShouldBe(2);
    }

    [Fact]
    public async Task ExecuteAsync_RoundTakesTenSeconds_NextRoundStartsOneIntervalAfterThePreviousStarted()
    {
        _duringRound = round =>
        {
            if (round.Number == 1)
            {
                _time.Advance(TimeSpan.FromSeconds(10));
            }
        };
        await _worker.StartAsync(CancellationToken.None);
        await FinishAsync(await NextRoundAsync());
        _time.GetUtcNow().ShouldBe(Start + TimeSpan.FromSeconds(10));

        await AdvanceAsync(TimeSpan.FromSeconds(20) - OneMillisecond);

        _time.Ticks.ShouldBeEmpty();

        await AdvanceAsync(OneMillisecond);
        _time.Ticks.ShouldBe([Start + Interval], "a schedule that drifted by the round's 10 s would tick at 40 s");
        (await NextRoundAsync()).StartedAt.ShouldBe(Start + Interval);
    }

    [Fact]
    public async Task ExecuteAsync_RoundThrows_LogsTheErrorAndRunsTheNextRoundOnSchedule()
    {
        var failure = new InvalidOperationException("registry unavailable");
        await _worker.StartAsync(CancellationToken.None);
        await FailAsync(await NextRoundAsync(), failure);

        await AdvanceAsync(Interval);

        // The worker handles a round to the end before it waits for the next tick, so the log is in by now.
        (await NextRoundAsync()).StartedAt.ShouldBe(Start + Interval);
        var logged = _logger.Collector.GetSnapshot().Where(entry => entry.Level >= LogLevel.Warning).ShouldHaveSingleItem();
        logged.Level.ShouldBe(LogLevel.Error);
        logged.Exception.ShouldBeSameAs(failure);
        logged.Message.ShouldBe("Health check round failed; the next one runs on schedule");
        _worker.ExecuteTask.ShouldNotBeNull().IsCompleted.ShouldBeFalse();
    }

    [Fact]
    public async Task ExecuteAsync_EachRound_ResolvesTheMediatorFromANewScope()
    {
        await _worker.StartAsync(CancellationToken.None);
        await FinishAsync(await NextRoundAsync());

        await AdvanceAsync(Interval);
        await FinishAsync(await NextRoundAsync());

        _mediatorsResolved.ShouldBe(2);
    }

    [Fact]
    public async Task StopAsync_RoundBlockedInSend_CancelsItsTokenAndCompletesPromptly()
    {
        await _worker.StartAsync(CancellationToken.None);
        var blocked = await NextRoundAsync();

        await _worker.StopAsync(CancellationToken.None).WaitAsync(Deadline);

        blocked.Token.IsCancellationRequested.ShouldBeTrue();
        _worker.ExecuteTask.ShouldNotBeNull().IsCompletedSuccessfully.ShouldBeTrue();
        _logger.Collector.GetSnapshot().ShouldNotContain(entry => entry.Level >= LogLevel.Warning, "stopping is not a failed round");
    }

    [Fact]
    public async Task StopAsync_BetweenRounds_CompletesPromptlyAndRunsNoMore()
    {
        await _worker.StartAsync(CancellationToken.None);
        await FinishAsync(await NextRoundAsync());

        await _worker.StopAsync(CancellationToken.None).WaitAsync(Deadline);

        _worker.ExecuteTask.ShouldNotBeNull().IsCompletedSuccessfully.ShouldBeTrue();
        await AdvanceAsync(Interval);
        _time.Ticks.ShouldBeEmpty("the timer went with the worker");
        RoundsStarted.ShouldBe(1);
    }

    public Task InitializeAsync() => Task.CompletedTask;

    /// <summary>Stops the worker; every round honours its token (see BeginRound), so one left open cannot hang this.</summary>
    private static IHostApplicationLifetime Lifetime(CancellationToken started)
    {
        var lifetime = Substitute.For<IHostApplicationLifetime>();
        lifetime.ApplicationStarted.Returns(started);
        return lifetime;
    }

    public Task DisposeAsync() => _worker.StopAsync(CancellationToken.None).WaitAsync(Deadline);

    public void Dispose()
    {
        _worker.Dispose();
        _services.Dispose();
        _roundStarted.Dispose();
        _applicationStarted.Dispose();
    }

    // The clock is moved and rounds are ended from the thread pool, so that the worker's continuations, which may
    // run inline, stay off the test runner's SynchronizationContext, as they would in production.
    private Task AdvanceAsync(TimeSpan by) => Task.Run(() => _time.Advance(by));

    private static Task FinishAsync(Round round) => Task.Run(() => round.Completion.SetResult(Checked));

    private static Task FailAsync(Round round, Exception error) => Task.Run(() => round.Completion.SetException(error));

    /// <summary>Waits for the next round the worker has started that the test has not yet taken.</summary>
    private async Task<Round> NextRoundAsync()
    {
        (await _roundStarted.WaitAsync(Deadline)).ShouldBeTrue($"round {_roundsTaken + 1} did not start within {Deadline}");
        lock (_rounds)
        {
            return _rounds[_roundsTaken++];
        }
    }

    /// <summary>The substitute's Send: records the round and leaves it open until the test ends it.</summary>
    private Task<CheckHealthResult> BeginRound(CancellationToken token)
    {
        Round round;
        lock (_rounds)
        {
            round = new Round(_rounds.Count + 1, _time.GetUtcNow(), token);
            _rounds.Add(round);
        }

        // Like the real handler, a round ends when the worker's token is cancelled.
        token.Register(() => round.Completion.TrySetCanceled(token));
        _duringRound?.Invoke(round);
        _roundStarted.Release();
        return round.Completion.Task;
    }

    private sealed class Round(int number, DateTimeOffset startedAt, CancellationToken token)
    {
        public int Number => number;

        /// <summary>The fake clock's time when the worker called Send.</summary>
        public DateTimeOffset StartedAt => startedAt;

        /// <summary>The token the worker passed to Send.</summary>
        public CancellationToken Token => token;

        public TaskCompletionSource<CheckHealthResult> Completion { get; } = new();
    }
}
