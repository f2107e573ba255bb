using Gateway.Api.Forwarding;
using Gateway.UnitTests.TestSupport;
using Microsoft.Extensions.Time.Testing;

namespace Gateway.UnitTests.Api.Forwarding;

public sealed class StreamIdleWatchTests
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(10);

    private readonly FakeTimeProvider _time = new(TestServices.Now);

    [Fact]
    public void Token_NoProgressForTheTimeout_IsCancelledAsExpired()
    {
        using var watch = new StreamIdleWatch(Timeout, _time, CancellationToken.None);

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
        using var watch = new StreamIdleWatch(Timeout, _time, CancellationToken.None);

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
        using var watch = new StreamIdleWatch(Timeout, _time, client.Token);

        client.Cancel();

        watch.Token.IsCancellationRequested.ShouldBeTrue();
        watch.Expired.ShouldBeFalse();
    }

    [Fact]
    public void Token_OtherTokenCancelled_IsCancelledWithoutExpiring()
    {
        using var retirement = new CancellationTokenSource();
        using var watch = new StreamIdleWatch(Timeout, _time, CancellationToken.None, retirement.Token);

        retirement.Cancel();

        watch.Token.IsCancellationRequested.ShouldBeTrue();
        watch.Expired.ShouldBeFalse();
    }

    [Fact]
    public void Dispose_StopsTheTimer()
    {
        var watch = new StreamIdleWatch(Timeout, _time, CancellationToken.None);

        watch.Dispose();
        _time.Advance(Timeout * 2);

        watch.Token.IsCancellationRequested.ShouldBeFalse();
        watch.Expired.ShouldBeFalse();
    }
}
