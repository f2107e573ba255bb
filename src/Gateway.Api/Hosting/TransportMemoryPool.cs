using System.Buffers;
using System.Collections.Concurrent;
using System.Runtime.InteropServices;
using Microsoft.AspNetCore.Connections;

namespace Gateway.Api.Hosting;

/// <summary>
/// Kestrel's memory pool with larger blocks than its own 4 KiB ones.
/// </summary>
/// <remarks>
/// The socket transport receives into one block at a time, so the block size is the most a receive system call can
/// take: with 4 KiB blocks, an upload costs a receive per 4 KiB, and the forwarder passes on what each read returns,
/// a send per 4 to 8 KiB. Larger blocks let one receive take what the kernel has. Memory is taken only while a
/// connection has bytes buffered (an idle connection waits for data before it asks for a block), blocks are pinned
/// once (the socket pins what it reads into), and at most <see cref="RetainedBlocks"/> blocks wait for reuse, so a
/// burst of connections is not held on to after it.
/// </remarks>
internal sealed class TransportMemoryPool(int blockSize) : MemoryPool<byte>
{
    public const int RetainedBlocks = 256;

    private readonly ConcurrentQueue<Block> _free = new();
    private int _freeCount;

    public override int MaxBufferSize => blockSize;

    public override IMemoryOwner<byte> Rent(int minBufferSize = -1)
    {
        ArgumentOutOfRangeException.ThrowIfGreaterThan(minBufferSize, blockSize);
        if (_free.TryDequeue(out var block))
        {
            Interlocked.Decrement(ref _freeCount);
            return block;
        }

        return new Block(this, GC.AllocateUninitializedArray<byte>(blockSize, pinned: true));
    }

    protected override void Dispose(bool disposing)
    {
        _free.Clear();
    }

    private void Return(Block block)
    {
        if (Interlocked.Increment(ref _freeCount) <= RetainedBlocks)
        {
            _free.Enqueue(block);
        }
        else
        {
            Interlocked.Decrement(ref _freeCount);
        }
    }

    private sealed class Block(TransportMemoryPool pool, byte[] array) : IMemoryOwner<byte>
    {
        public Memory<byte> Memory { get; } = MemoryMarshal.CreateFromPinnedArray(array, 0, array.Length);

        public void Dispose() => pool.Return(this);
    }
}

/// <summary>Gives Kestrel <see cref="TransportMemoryPool"/>s.</summary>
internal sealed class TransportMemoryPoolFactory : IMemoryPoolFactory<byte>
{
    public const int BlockSize = 32 * 1024;

    public MemoryPool<byte> Create(MemoryPoolOptions? options = null) => new TransportMemoryPool(BlockSize);
}
