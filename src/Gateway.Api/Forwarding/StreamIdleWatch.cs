namespace Gateway.Api.Forwarding;

/// <summary>
/// Ends a stream that has passed no byte for its idle timeout: <see cref="Token"/> is cancelled then, as it is when
/// the client goes away or <see cref="Cancel"/> is called.
/// </summary>
/// <remarks>
/// Progress only writes a timestamp; the one timer fires once per timeout and, finding progress since, sets itself for
/// what is left. A timer reset per read would cost a timer-queue update for every chunk of a large body.
/// </remarks>
internal sealed class StreamIdleWatch : IDisposable
{
    private readonly TimeProvider _timeProvider;
    private readonly TimeSpan _timeout;
    // Never disposed: the timer or a linked token may be cancelling it while the stream ends, and a source without a
    // timer of its own holds nothing that the collector does not free.
    private readonly CancellationTokenSource _source = new();
    private readonly ITimer _timer;
    private readonly CancellationTokenRegistration _client;
    private readonly CancellationTokenRegistration _other;
    private long _lastProgress;
    private volatile bool _expired;

    public StreamIdleWatch(TimeSpan timeout, TimeProvider timeProvider, CancellationToken client, CancellationToken other = default)
    {
        _timeout = timeout;
        _timeProvider = timeProvider;
        _lastProgress = timeProvider.GetTimestamp();
        _timer = timeProvider.CreateTimer(static state => ((StreamIdleWatch)state!).Check(), this, System.Threading.Timeout.InfiniteTimeSpan, System.Threading.Timeout.InfiniteTimeSpan);
        _timer.Change(timeout, System.Threading.Timeout.InfiniteTimeSpan);
        _client = client.UnsafeRegister(static state => ((CancellationTokenSource)state!).Cancel(), _source);
        _other = other.UnsafeRegister(static state => ((CancellationTokenSource)state!).Cancel(), _source);
    }

    /// <summary>Cancelled when the stream has been idle too long, the client has gone, or the stream is ended.</summary>
    public CancellationToken Token => _source.Token;

    /// <summary>Whether the idle timeout (rather than anything else) ended the stream.</summary>
    public bool Expired => _expired;

    public TimeSpan Timeout => _timeout;

    /// <summary>A byte went one way or the other.</summary>
    public void Progress() => Volatile.Write(ref _lastProgress, _timeProvider.GetTimestamp());

    /// <summary>Ends the stream now.</summary>
    public void Cancel() => _source.Cancel();

    public void Dispose()
    {
        _timer.Dispose();
        _client.Dispose();
        _other.Dispose();
    }

    private void Check()
    {
        var idle = _timeProvider.GetElapsedTime(Volatile.Read(ref _lastProgress));
        if (idle >= _timeout)
        {
            _expired = true;
            _source.Cancel();
        }
        else
        {
            _timer.Change(_timeout - idle, System.Threading.Timeout.InfiniteTimeSpan);
        }
    }
}
