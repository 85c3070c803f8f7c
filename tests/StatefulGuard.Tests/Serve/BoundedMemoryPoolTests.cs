using StatefulGuard.Serve;

namespace StatefulGuard.Tests.Serve;

public sealed class BoundedMemoryPoolTests
{
    [Fact]
    public void Keeps_its_pinned_blocks_and_at_most_its_bound_of_overflow_blocks()
    {
        using var pool = new BoundedMemoryPool(pinnedBlocks: 2, maxIdleOverflow: 3);
        var leased = Enumerable.Range(0, 10).Select(_ => pool.Rent()).ToList();
        Assert.Equal(10, pool.AllocatedBlocks);
        Assert.Equal(0, pool.IdleBlocks);

        leased.ForEach(b => b.Dispose());
        Assert.Equal(2 + 3, pool.IdleBlocks);

        // The kept blocks are reused, pinned ones first, before any new one is allocated.
        var again = Enumerable.Range(0, 6).Select(_ => pool.Rent()).ToList();
        Assert.Equal(leased.Take(2), again.Take(2));
        Assert.Equal(0, pool.IdleBlocks);
        Assert.Equal(11, pool.AllocatedBlocks);
        again.ForEach(b => b.Dispose());
    }

    [Fact]
    public void Blocks_are_4_KB_and_returned_once_however_often_disposed()
    {
        using var pool = new BoundedMemoryPool(pinnedBlocks: 1, maxIdleOverflow: 1);
        var pinned = pool.Rent();
        var overflow = pool.Rent();
        foreach (var block in new[] { pinned, overflow })
        {
            Assert.Equal(BoundedMemoryPool.BlockSize, block.Memory.Length);
            Assert.True(System.Runtime.InteropServices.MemoryMarshal.TryGetArray<byte>(block.Memory, out var array));
            Assert.Equal(BoundedMemoryPool.BlockSize, array.Array!.Length);
        }

        pinned.Dispose();
        pinned.Dispose();
        overflow.Dispose();
        overflow.Dispose();
        Assert.Equal(2, pool.IdleBlocks);

        Assert.Same(pinned, pool.Rent());
        Assert.Same(overflow, pool.Rent());
        Assert.Equal(0, pool.IdleBlocks);
    }

    [Fact]
    public void Larger_requests_than_a_block_and_use_after_dispose_are_refused()
    {
        var pool = new BoundedMemoryPool(pinnedBlocks: 1, maxIdleOverflow: 1);
        Assert.Throws<ArgumentOutOfRangeException>(() => pool.Rent(BoundedMemoryPool.BlockSize + 1));
        var leased = pool.Rent();
        pool.Dispose();

        Assert.Throws<ObjectDisposedException>(() => pool.Rent());
        leased.Dispose();
        Assert.Equal(0, pool.IdleBlocks);
    }
}
