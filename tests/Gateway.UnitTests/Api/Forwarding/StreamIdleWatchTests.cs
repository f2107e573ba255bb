using Gateway.Api.Forwarding;
using Gateway.Infrastructure.Http;
using Gateway.UnitTests.TestSupport;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Time.Testing;

namespace Gateway.UnitTests.Api.Forwarding;

public sealed class StreamIdleWatchTests
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(10);

    private readonly FakeTimeProvider _time = new(TestServices.Now);
    private readonly StreamIdleWatches _watches;

    public StreamIdleWatchTests() =>
        _watches = new StreamIdleWatches(Options.Create(new ForwardingOptions { StreamIdleTimeout = Timeout }), _time);

    [Fact]
    public void Token_NoProgressForTheTimeout_IsCancelledAsExpired()
    {
        using var watch = _watches.Start(null, CancellationToken.None);

        _time.Advance(Timeout - TimeSpan.FromMilliseconds(1));
        var before = watch.Token.IsCancellationRequested;
        _time.Advance(TimeSpan.FromMilliseconds(1));

        before.ShouldBeFalse();
        watch.Token.IsCancellationRequested.ShouldBeTrue();
        watch.Expired.ShouldBeTrue();
    }

    [Fact]
    public void Token_ProgressWithinTheTimeout_CountsTheTimeoutFromTheLastProgress()
    {
        using var watch = _watches.Start(null, CancellationToken.None);

        _time.Advance(TimeSpan.FromSeconds(6));
        watch.Progress();
        _time.Advance(TimeSpan.FromSeconds(6));
        watch.Progress();
        _time.Advance(TimeSpan.FromSeconds(9));
        var before = watch.Token.IsCancellationRequested;
        _time.Advance(TimeSpan.FromSeconds(1));

        before.ShouldBeFalse("21 s passed, but never 10 s without progress");
        watch.Token.IsCancellationRequested.ShouldBeTrue();
        watch.Expired.ShouldBeTrue();
    }

    [Fact]
    public void Token_ClientGoesAway_IsCancelledWithoutExpiring()
    {
        using var client = new CancellationTokenSource();
        using var watch = _watches.Start(null, client.Token);

        client.Cancel();

        watch.Token.IsCancellationRequested.ShouldBeTrue();
        watch.Expired.ShouldBeFalse();
    }

    [Fact]
    public void Token_OtherTokenCancelled_IsCancelledWithoutExpiring()
    {
        using var retirement = new CancellationTokenSource();
        using var watch = _watches.Start(null, CancellationToken.None, retirement.Token);

        retirement.Cancel();

        watch.Token.IsCancellationRequested.ShouldBeTrue();
        watch.Expired.ShouldBeFalse();
    }

    [Fact]
    public void Start_ServiceTimeout_ReplacesTheGatewayDefault()
    {
        using var watch = _watches.Start(TimeSpan.FromSeconds(2), CancellationToken.None);

        _time.Advance(TimeSpan.FromSeconds(2));

        watch.Expired.ShouldBeTrue();
    }

    [Fact]
    public void Cancel_EndsTheStreamWithoutExpiring()
    {
        using var watch = _watches.Start(null, CancellationToken.None);

        watch.Cancel();

        watch.Token.IsCancellationRequested.ShouldBeTrue();
        watch.Expired.ShouldBeFalse();
    }

    [Fact]
    public void Start_AfterAWatchWasDisposed_CountsAFreshTimeout()
    {
        var first = _watches.Start(null, CancellationToken.None);
        _time.Advance(Timeout / 2);
        first.Dispose();

        using var second = _watches.Start(null, CancellationToken.None);
        _time.Advance(Timeout / 2);
        var before = second.Token.IsCancellationRequested;
        _time.Advance(Timeout / 2);

        before.ShouldBeFalse();
        second.Expired.ShouldBeTrue();
    }

    [Fact]
    public void Dispose_StopsTheTimer()
    {
        var watch = _watches.Start(null, CancellationToken.None);
        var token = watch.Token;

        watch.Dispose();
        _time.Advance(Timeout * 2);

        token.IsCancellationRequested.ShouldBeFalse();
    }

    [Fact]
    public void Start_OnTheSystemClock_ReusesAWatchDisposedUnexpired_NotAnEndedOne()
    {
        // Only the system clock's timers can be reset safely, so only there do watches go back to the pool.
        var watches = new StreamIdleWatches(
            Options.Create(new ForwardingOptions { StreamIdleTimeout = TimeSpan.FromMinutes(10) }), TimeProvider.System);
        var first = watches.Start(null, CancellationToken.None);
        first.Dispose();

        var second = watches.Start(null, CancellationToken.None);
        second.Cancel();
        second.Dispose();
        using var third = watches.Start(null, CancellationToken.None);

        second.ShouldBeSameAs(first);
        third.ShouldNotBeSameAs(second);
        third.Token.IsCancellationRequested.ShouldBeFalse();
    }
}
