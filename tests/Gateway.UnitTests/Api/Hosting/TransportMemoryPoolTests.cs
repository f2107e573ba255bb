using System.Runtime.InteropServices;
using Gateway.Api.Hosting;

namespace Gateway.UnitTests.Api.Hosting;

public sealed class TransportMemoryPoolTests
{
    private const int BlockSize = 32 * 1024;

    [Theory]
    [InlineData(-1)]
    [InlineData(1)]
    [InlineData(4096)]
    [InlineData(BlockSize)]
    public void Rent_GivesAWholeBlockWhateverTheSizeAskedFor(int size)
    {
        using var pool = new TransportMemoryPool(BlockSize);

        using var block = pool.Rent(size);

        block.Memory.Length.ShouldBe(BlockSize);
    }

    [Fact]
    public void Rent_MoreThanABlock_Throws()
    {
        using var pool = new TransportMemoryPool(BlockSize);

        Should.Throw<ArgumentOutOfRangeException>(() => pool.Rent(BlockSize + 1));
    }

    [Fact]
    public void Rent_AfterAReturn_ReusesTheBlock()
    {
        using var pool = new TransportMemoryPool(BlockSize);
        var first = pool.Rent();
        var array = ArrayOf(first);
        first.Dispose();

        using var second = pool.Rent();

        ArrayOf(second).ShouldBeSameAs(array);
    }

    [Fact]
    public void Blocks_ArePinned_SoTheSocketNeedNotPinThemPerOperation()
    {
        using var pool = new TransportMemoryPool(BlockSize);
        using var block = pool.Rent();

        // On the pinned object heap, which reports the oldest generation.
        GC.GetGeneration(ArrayOf(block)).ShouldBe(GC.MaxGeneration);
    }

    [Fact]
    public void Return_BeyondTheRetainedCount_LetsTheBlockGo()
    {
        using var pool = new TransportMemoryPool(BlockSize);
        var blocks = Enumerable.Range(0, TransportMemoryPool.RetainedBlocks + 1).Select(_ => pool.Rent()).ToList();
        var arrays = blocks.Select(ArrayOf).ToHashSet();
        foreach (var block in blocks)
        {
            block.Dispose();
        }

        var reused = Enumerable.Range(0, TransportMemoryPool.RetainedBlocks + 1).Select(_ => pool.Rent()).ToList();

        reused.Count(block => arrays.Contains(ArrayOf(block))).ShouldBe(TransportMemoryPool.RetainedBlocks);
    }

    private static byte[] ArrayOf(System.Buffers.IMemoryOwner<byte> block) =>
        MemoryMarshal.TryGetArray<byte>(block.Memory, out var segment) ? segment.Array! : throw new InvalidOperationException("not an array");
}
