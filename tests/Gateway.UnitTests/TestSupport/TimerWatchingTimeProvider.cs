using System.Threading.Channels;
using Microsoft.Extensions.Time.Testing;

namespace Gateway.UnitTests.TestSupport;

/// <summary>
/// A fake clock that lets a test wait until the code under test has set a timer, for example in <c>Task.Delay</c>,
/// and see when its timers fired.
/// </summary>
/// <remarks>
/// Advancing the clock before the code under test is waiting on it would leave its timer due later than the test
/// meant. Waiting for each timer first makes every step of the test land on a wait, whatever thread the code runs on.
/// </remarks>
internal sealed class TimerWatchingTimeProvider(DateTimeOffset start) : FakeTimeProvider(start)
{
    private readonly Channel<TimeSpan> _created = Channel.CreateUnbounded<TimeSpan>();
    private readonly List<DateTimeOffset> _ticks = [];

    /// <summary>The clock's time at each firing of any of its timers, in order.</summary>
    public IReadOnlyList<DateTimeOffset> Ticks
    {
        get
        {
            lock (_ticks)
            {
                return [.. _ticks];
            }
        }
    }

    public override ITimer CreateTimer(TimerCallback callback, object? state, TimeSpan dueTime, TimeSpan period)
    {
        var timer = base.CreateTimer(
            tickState =>
            {
                lock (_ticks)
                {
                    _ticks.Add(GetUtcNow());
                }

                callback(tickState);
            },
            state,
            dueTime,
            period);
        _created.Writer.TryWrite(dueTime);
        return timer;
    }

    /// <summary>Waits for the next timer set since the last one waited for.</summary>
    public async Task WaitForTimerAsync(TimeSpan deadline)
    {
        using var timeout = new CancellationTokenSource(deadline);
        try
        {
            await _created.Reader.ReadAsync(timeout.Token);
        }
        catch (OperationCanceledException) when (timeout.IsCancellationRequested)
        {
            throw new TimeoutException($"No timer was set within {deadline}.");
        }
    }
}
