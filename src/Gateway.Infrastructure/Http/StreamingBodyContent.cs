using System.Buffers;
using System.Net;

namespace Gateway.Infrastructure.Http;

/// <summary>The client's request body, passed on to the instance as it arrives, a buffer at a time.</summary>
/// <remarks>
/// Failures reading from the client are kept apart from failures writing to the instance: the first are the
/// client's doing (too large, or it stopped sending), the second the instance's.
/// </remarks>
internal sealed class StreamingBodyContent(Stream source, long? length, UpstreamDeadline deadline) : HttpContent
{
    private const int BufferSize = 64 * 1024;

    private readonly long? _length = length;
    private volatile UpstreamDeadline? _deadline = deadline;

    /// <summary>Whether any of the body has been read; a request whose body was started cannot be sent again.</summary>
    public bool Started { get; private set; }

    /// <summary>Why reading the client's body failed, if it did.</summary>
    public Exception? SourceError { get; private set; }

    protected override Task SerializeToStreamAsync(Stream stream, TransportContext? context) =>
        SerializeToStreamAsync(stream, context, CancellationToken.None);

    protected override async Task SerializeToStreamAsync(Stream stream, TransportContext? context, CancellationToken cancellationToken)
    {
        Started = true;
        var buffer = ArrayPool<byte>.Shared.Rent(BufferSize);
        // The request's headers are unflushed too: over HTTP/2 the handler holds them back for the body's first
        // bytes, and an instance that answers before reading any (a gRPC server stream) would wait forever.
        var unflushed = true;
        var reading = false;
        try
        {
            while (true)
            {
                var pending = source.ReadAsync(buffer, cancellationToken);
                reading = true;
                if (unflushed && !pending.IsCompleted)
                {
                    // The client has nothing more for now: what it sent must reach the instance before the next part
                    // comes (a slow upload, gRPC). While it keeps sending, the handler's buffer fills and goes out by
                    // itself; flushing after every write would halve a fast upload.
                    await stream.FlushAsync(cancellationToken);
                    unflushed = false;
                }

                int read;
                try
                {
                    read = await pending;
                }
                catch (Exception error) when (error is not OperationCanceledException)
                {
                    SourceError = error;
                    throw;
                }
                finally
                {
                    reading = false;
                }

                if (read == 0)
                {
                    return;
                }

                await stream.WriteAsync(buffer.AsMemory(0, read), cancellationToken);
                unflushed = true;
                _deadline?.Restart();
            }
        }
        finally
        {
            // A read still writing into the buffer (the flush failed) keeps it: the pool must not lend it out again.
            if (!reading)
            {
                ArrayPool<byte>.Shared.Return(buffer);
            }
        }
    }

    protected override bool TryComputeLength(out long length)
    {
        length = _length ?? -1;
        return _length.HasValue;
    }

    protected override void Dispose(bool disposing)
    {
        // The deadline goes back to its pool with the exchange; a copy still winding down must not restart it then.
        _deadline = null;
        base.Dispose(disposing);
    }
}
