using System.Collections.Concurrent;

namespace Gateway.Infrastructure.Http;

/// <summary>
/// How long an exchange may go without progress before the instance's response headers: the request timeout,
/// restarted whenever a piece of the request body has been passed on, so that it runs from the end of the body.
/// </summary>
/// <remarks>
/// A slow upload is bounded by Kestrel's minimum data rate and the body limit, not by the timeout; an instance that
/// stops reading the body, or does not answer once it has it, is. Deadlines are pooled: the token source, its timer
/// and its registration on the client's token are set up again per request, not allocated.
/// </remarks>
internal sealed class UpstreamDeadline : IDisposable
{
    private readonly UpstreamDeadlines _pool;
    private readonly CancellationTokenSource _source;
    private CancellationTokenRegistration _clientAborted;
    private CancellationToken _client;
    private TimeSpan _timeout;
    private volatile bool _answered;

    public UpstreamDeadline(UpstreamDeadlines pool, TimeProvider timeProvider)
    {
        _pool = pool;
        _source = new CancellationTokenSource(System.Threading.Timeout.InfiniteTimeSpan, timeProvider);
    }

    /// <summary>Cancelled when the deadline passes or the client goes away.</summary>
    public CancellationToken Token => _source.Token;

    /// <summary>Whether the deadline passed (rather than the client going away).</summary>
    public bool Expired => _source.IsCancellationRequested && !_client.IsCancellationRequested;

    public TimeSpan Timeout => _timeout;

    internal void Start(TimeSpan timeout, CancellationToken client)
    {
        _timeout = timeout;
        _client = client;
        _answered = false;
        _clientAborted = client.UnsafeRegister(static state => ((CancellationTokenSource)state!).Cancel(), _source);
        _source.CancelAfter(timeout);
    }

    /// <summary>The request made progress: the wait starts again.</summary>
    public void Restart()
    {
        if (!_answered)
        {
            _source.CancelAfter(_timeout);
        }
    }

    /// <summary>The response headers arrived: what follows is not bounded by the timeout.</summary>
    public void Stop()
    {
        _answered = true;
        _source.CancelAfter(System.Threading.Timeout.InfiniteTimeSpan);
    }

    public void Dispose()
    {
        // Waits for a client-abort callback that is running, so a source back in the pool is never cancelled late.
        _clientAborted.Dispose();
        if (_source.TryReset())
        {
            _pool.Return(this);
        }
        else
        {
            _source.Dispose();
        }
    }
}

/// <summary>The pool of one forwarder's deadlines, on its clock.</summary>
internal sealed class UpstreamDeadlines(TimeProvider timeProvider)
{
    // Enough for the requests in flight on a busy gateway; past it, deadlines are simply allocated and let go.
    private const int MaxPooled = 1024;

    private readonly ConcurrentQueue<UpstreamDeadline> _pooled = new();
    private int _count;

    public UpstreamDeadline Start(TimeSpan timeout, CancellationToken client)
    {
        UpstreamDeadline? deadline;
        if (_pooled.TryDequeue(out deadline))
        {
            Interlocked.Decrement(ref _count);
        }
        else
        {
            deadline = new UpstreamDeadline(this, timeProvider);
        }

        deadline.Start(timeout, client);
        return deadline;
    }

    internal void Return(UpstreamDeadline deadline)
    {
        if (Interlocked.Increment(ref _count) <= MaxPooled)
        {
            _pooled.Enqueue(deadline);
        }
        else
        {
            Interlocked.Decrement(ref _count);
        }
    }
}
