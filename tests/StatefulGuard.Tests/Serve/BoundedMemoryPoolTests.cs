using StatefulGuard.Serve;

namespace StatefulGuard.Tests.Serve;

public sealed class BoundedMemoryPoolTests
{
    [Fact]
    public void Keeps_every_returned_block_until_trimmed_to_its_minimum_or_twice_what_is_leased()
    {
        using var pool = new BoundedMemoryPool(minIdleBlocks: 4);
        var leased = Enumerable.Range(0, 10).Select(_ => pool.Rent()).ToList();
        Assert.Equal((10, 10, 0), (pool.AllocatedBlocks, pool.LeasedBlocks, pool.IdleBlocks));

        // Steady load: whatever comes back stays for the next rent, however many.
        leased.Skip(3).ToList().ForEach(b => b.Dispose());
        Assert.Equal((3, 7), (pool.LeasedBlocks, pool.IdleBlocks));

        // Trimmed: twice the 3 still leased are kept.
        Assert.Equal(1, pool.Trim());
        Assert.Equal(6, pool.IdleBlocks);

        // Quiet: down to the minimum.
        leased.Take(3).ToList().ForEach(b => b.Dispose());
        Assert.Equal(5, pool.Trim());
        Assert.Equal((0, 4), (pool.LeasedBlocks, pool.IdleBlocks));

        // The kept blocks are reused before any new one is allocated.
        var again = Enumerable.Range(0, 5).Select(_ => pool.Rent()).ToList();
        Assert.Equal((11, 0), (pool.AllocatedBlocks, pool.IdleBlocks));
        again.ForEach(b => b.Dispose());
    }

    [Fact]
    public void Blocks_are_4_KB_and_returned_once_however_often_disposed()
    {
        using var pool = new BoundedMemoryPool(minIdleBlocks: 1);
        var block = pool.Rent();
        Assert.Equal(BoundedMemoryPool.BlockSize, block.Memory.Length);
        Assert.True(System.Runtime.InteropServices.MemoryMarshal.TryGetArray<byte>(block.Memory, out var array));
        Assert.Equal(BoundedMemoryPool.BlockSize, array.Array!.Length);

        block.Dispose();
        block.Dispose();
        Assert.Equal((0, 1), (pool.LeasedBlocks, pool.IdleBlocks));
        Assert.Same(block, pool.Rent());
        Assert.Equal((1, 0), (pool.LeasedBlocks, pool.IdleBlocks));
    }

    [Fact]
    public void Larger_requests_than_a_block_and_use_after_dispose_are_refused()
    {
        var pool = new BoundedMemoryPool(minIdleBlocks: 1);
        Assert.Throws<ArgumentOutOfRangeException>(() => pool.Rent(BoundedMemoryPool.BlockSize + 1));
        var leased = pool.Rent();
        pool.Dispose();

        Assert.Throws<ObjectDisposedException>(() => pool.Rent());
        leased.Dispose();
        Assert.Equal(0, pool.IdleBlocks);
    }
}
