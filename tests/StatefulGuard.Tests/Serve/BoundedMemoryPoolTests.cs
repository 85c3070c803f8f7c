using StatefulGuard.Serve;

namespace StatefulGuard.Tests.Serve;

public sealed class BoundedMemoryPoolTests
{
    [Fact]
    public void Keeps_at_most_its_bound_of_idle_blocks_and_drops_the_rest()
    {
        using var pool = new BoundedMemoryPool(maxIdleBlocks: 4);
        var leased = Enumerable.Range(0, 10).Select(_ => pool.Rent()).ToList();
        Assert.Equal(10, pool.AllocatedBlocks);
        Assert.Equal(0, pool.IdleBlocks);

        leased.ForEach(b => b.Dispose());
        Assert.Equal(4, pool.IdleBlocks);

        // The kept blocks are reused before any new one is allocated.
        var again = Enumerable.Range(0, 6).Select(_ => pool.Rent()).ToList();
        Assert.Equal(0, pool.IdleBlocks);
        Assert.Equal(12, pool.AllocatedBlocks);
        again.ForEach(b => b.Dispose());
    }

    [Fact]
    public void Blocks_are_4_KB_and_returned_once_however_often_disposed()
    {
        using var pool = new BoundedMemoryPool(maxIdleBlocks: 8);
        var block = pool.Rent();
        Assert.Equal(BoundedMemoryPool.BlockSize, block.Memory.Length);
        Assert.True(System.Runtime.InteropServices.MemoryMarshal.TryGetArray<byte>(block.Memory, out var array));
        Assert.Equal(BoundedMemoryPool.BlockSize, array.Array!.Length);

        block.Dispose();
        block.Dispose();
        Assert.Equal(1, pool.IdleBlocks);

        var reused = pool.Rent();
        Assert.Same(block, reused);
        Assert.Equal(0, pool.IdleBlocks);
        reused.Dispose();
    }

    [Fact]
    public void Larger_requests_than_a_block_and_use_after_dispose_are_refused()
    {
        var pool = new BoundedMemoryPool(maxIdleBlocks: 8);
        Assert.Throws<ArgumentOutOfRangeException>(() => pool.Rent(BoundedMemoryPool.BlockSize + 1));
        var leased = pool.Rent();
        pool.Dispose();

        Assert.Throws<ObjectDisposedException>(() => pool.Rent());
        leased.Dispose();
        Assert.Equal(0, pool.IdleBlocks);
    }
}
