namespace Gateway.Api.Forwarding;

/// <summary>
/// Ends a stream that has passed no byte for its idle timeout: <see cref="Token"/> is cancelled then, as it is when
/// the client goes away or <see cref="Cancel"/> is called.
/// </summary>
/// <remarks>
/// Every response body is copied under one, so they are pooled as the forwarder's request deadlines
/// are: the token source and its timer are set up again per stream, not allocated. Progress moves the source's own
/// timer, which only a chunk read (up to 64 KiB) or a WebSocket frame does.
/// </remarks>
public sealed class StreamIdleWatch : IDisposable
{
    private readonly StreamIdleWatches _pool;
    private readonly CancellationTokenSource _source;
    private CancellationTokenRegistration _clientRegistration;
    private CancellationTokenRegistration _otherRegistration;
    private CancellationToken _client;
    private CancellationToken _other;
    private TimeSpan _timeout;
    private volatile bool _ended;

    public StreamIdleWatch(StreamIdleWatches pool, TimeProvider timeProvider)
    {
        _pool = pool;
        _source = new CancellationTokenSource(System.Threading.Timeout.InfiniteTimeSpan, timeProvider);
    }

    /// <summary>Cancelled when the stream has been idle too long, the client has gone, or the stream is ended.</summary>
    public CancellationToken Token => _source.Token;

    /// <summary>Whether the idle timeout (rather than anything else) ended the stream.</summary>
    public bool Expired =>
        _source.IsCancellationRequested && !_ended && !_client.IsCancellationRequested && !_other.IsCancellationRequested;

    public TimeSpan Timeout => _timeout;

    /// <summary>Bytes went one way or the other: the wait starts again.</summary>
    public void Progress() => _source.CancelAfter(_timeout);

    /// <summary>Ends the stream now.</summary>
    public void Cancel()
    {
        // Not once the timeout has fired: that would hide why the stream ended.
        if (!_source.IsCancellationRequested)
        {
            _ended = true;
            _source.Cancel();
        }
    }

    public void Dispose()
    {
        // Waits for a cancellation callback that is running, so a source back in the pool is never cancelled late.
        _clientRegistration.Dispose();
        _otherRegistration.Dispose();
        if (_source.TryReset())
        {
            _pool.Return(this);
        }
        else
        {
            _source.Dispose();
        }
    }

    internal void Start(TimeSpan timeout, CancellationToken client, CancellationToken other)
    {
        _timeout = timeout;
        _client = client;
        _other = other;
        _ended = false;
        _clientRegistration = client.UnsafeRegister(static state => ((CancellationTokenSource)state!).Cancel(), _source);
        _otherRegistration = other.UnsafeRegister(static state => ((CancellationTokenSource)state!).Cancel(), _source);
        _source.CancelAfter(timeout);
    }
}
