using System.Buffers;
using System.Net;

namespace Gateway.Infrastructure.Http;

/// <summary>The client's request body, passed on to the instance as it arrives, a buffer at a time.</summary>
/// <remarks>
/// Failures reading from the client are kept apart from failures writing to the instance: the first are the
/// client's doing (too large, or it stopped sending), the second the instance's.
/// </remarks>
internal sealed class StreamingBodyContent(Stream source, long? length) : HttpContent
{
    private const int BufferSize = 64 * 1024;

    private readonly long? _length = length;

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
        try
        {
            while (true)
            {
                int read;
                try
                {
                    read = await source.ReadAsync(buffer, cancellationToken);
                }
                catch (Exception error) when (error is not OperationCanceledException)
                {
                    SourceError = error;
                    throw;
                }

                if (read == 0)
                {
                    return;
                }

                await stream.WriteAsync(buffer.AsMemory(0, read), cancellationToken);
                // The handler would otherwise hold small writes back until its buffer fills: a client that streams
                // (a slow upload, gRPC) must reach the instance as it sends.
                await stream.FlushAsync(cancellationToken);
            }
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }

    protected override bool TryComputeLength(out long length)
    {
        length = _length ?? -1;
        return _length.HasValue;
    }
}
