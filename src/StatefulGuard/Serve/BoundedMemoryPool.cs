using System.Buffers;
using System.Collections.Concurrent;
using System.Runtime.InteropServices;
using Microsoft.AspNetCore.Connections;

namespace StatefulGuard.Serve;

/// <summary>
/// The memory pool Kestrel's connections take their buffers from (registered as the <see cref="IMemoryPoolFactory{T}"/>
/// the socket transport asks the service container for): 4 KB blocks, as Kestrel's own pool. The first
/// <see cref="PinnedBlocks"/> are pinned arrays, allocated together and always kept: steady load runs on them. Past
/// those, a burst gets ordinary arrays, which the garbage collector may move; at most <see cref="MaxIdleOverflow"/> of
/// them are kept idle, and a block returned beyond that is dropped for the collector.
/// </summary>
/// <remarks>
/// Kestrel's pool allocates every block on the pinned object heap, which is never compacted, keeps every block it
/// handed out and, since .NET 10, gives idle ones back slowly (5 % every 10 s when idle, 1 % under a trickle of
/// health probes): after a burst of the largest reviews from 64 clients it still held ~50 MB a minute later. Bounding
/// the idle pinned blocks was not enough: the few kept were scattered over the pinned heap's regions and held them
/// all (47 MB of its 56 MB was free space between them). Ordinary arrays for everything fixed that, but each socket
/// operation then pinned its buffer itself (/mutate 3.5 % slower); so the blocks steady load needs stay pinned.
/// </remarks>
internal sealed class BoundedMemoryPool(int pinnedBlocks, int maxIdleOverflow) : MemoryPool<byte>
{
    public const int BlockSize = 4096;

    private readonly ConcurrentQueue<Block> idlePinned = new();
    private readonly ConcurrentQueue<Block> idleOverflow = new();
    private int pinnedAllocated;
    private int idleOverflowCount;
    private long overflowAllocated;
    private bool disposed;

    public int PinnedBlocks { get; } = pinnedBlocks;

    public int MaxIdleOverflow { get; } = maxIdleOverflow;

    public override int MaxBufferSize => BlockSize;

    /// <summary>Blocks kept for reuse now (diagnostics and tests).</summary>
    public int IdleBlocks => idlePinned.Count + Volatile.Read(ref idleOverflowCount);

    /// <summary>Blocks allocated so far, pinned and overflow (none is allocated while an idle one is there to reuse).</summary>
    public long AllocatedBlocks => Volatile.Read(ref pinnedAllocated) + Interlocked.Read(ref overflowAllocated);

    public override IMemoryOwner<byte> Rent(int minBufferSize = -1)
    {
        ArgumentOutOfRangeException.ThrowIfGreaterThan(minBufferSize, BlockSize);
        ObjectDisposedException.ThrowIf(disposed, this);
        if (idlePinned.TryDequeue(out var block))
        {
            return block.Lease();
        }

        if (idleOverflow.TryDequeue(out block))
        {
            Interlocked.Decrement(ref idleOverflowCount);
            return block.Lease();
        }

        if (Interlocked.Increment(ref pinnedAllocated) <= PinnedBlocks)
        {
            return new Block(this, pinned: true);
        }

        Interlocked.Decrement(ref pinnedAllocated);
        Interlocked.Increment(ref overflowAllocated);
        return new Block(this, pinned: false);
    }

    protected override void Dispose(bool disposing)
    {
        disposed = true;
        idlePinned.Clear();
        while (idleOverflow.TryDequeue(out _))
        {
            Interlocked.Decrement(ref idleOverflowCount);
        }
    }

    private void Return(Block block)
    {
        // Returned after the pool was disposed, or an overflow block over the bound: left to the garbage collector.
        if (disposed)
        {
            return;
        }

        if (block.Pinned)
        {
            idlePinned.Enqueue(block);
        }
        else if (Interlocked.Increment(ref idleOverflowCount) <= MaxIdleOverflow)
        {
            idleOverflow.Enqueue(block);
        }
        else
        {
            Interlocked.Decrement(ref idleOverflowCount);
        }
    }

    /// <summary>One block: a pinned array, or an ordinary one that a socket pins only for the duration of an operation.</summary>
    private sealed class Block : IMemoryOwner<byte>
    {
        private readonly BoundedMemoryPool pool;
        private int leased = 1;

        public Block(BoundedMemoryPool pool, bool pinned)
        {
            this.pool = pool;
            Pinned = pinned;
            Memory = pinned
                ? MemoryMarshal.CreateFromPinnedArray(GC.AllocateUninitializedArray<byte>(BlockSize, pinned: true), 0, BlockSize)
                : GC.AllocateUninitializedArray<byte>(BlockSize);
        }

        public bool Pinned { get; }

        public Memory<byte> Memory { get; }

        public Block Lease()
        {
            Volatile.Write(ref leased, 1);
            return this;
        }

        public void Dispose()
        {
            // Returned once, however many times it is disposed.
            if (Interlocked.Exchange(ref leased, 0) == 1)
            {
                pool.Return(this);
            }
        }
    }
}

/// <summary>Makes every pool Kestrel asks for a <see cref="BoundedMemoryPool"/>.</summary>
internal sealed class BoundedMemoryPoolFactory : IMemoryPoolFactory<byte>
{
    /// <summary>1 MB of pinned blocks per pool: more than steady load keeps in flight.</summary>
    public const int DefaultPinnedBlocks = 256;

    /// <summary>1 MB of idle overflow blocks per pool: a fraction of what a burst leases.</summary>
    public const int DefaultMaxIdleOverflow = 256;

    private readonly ConcurrentQueue<BoundedMemoryPool> pools = new();

    /// <summary>The pools made so far (one per listener and a few of Kestrel's own; diagnostics and tests).</summary>
    public IReadOnlyCollection<BoundedMemoryPool> Pools => pools;

    public MemoryPool<byte> Create(MemoryPoolOptions? options = null)
    {
        var pool = new BoundedMemoryPool(DefaultPinnedBlocks, DefaultMaxIdleOverflow);
        pools.Enqueue(pool);
        return pool;
    }
}
