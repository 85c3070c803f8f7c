using System.Buffers;
using System.Collections.Concurrent;
using Microsoft.AspNetCore.Connections;

namespace StatefulGuard.Serve;

/// <summary>
/// The memory pool Kestrel's connections take their buffers from (registered as the <see cref="IMemoryPoolFactory{T}"/>
/// the socket transport asks the service container for): 4 KB blocks, as Kestrel's own pool, but ordinary arrays that
/// the garbage collector may move, and at most <see cref="MaxIdleBlocks"/> of them kept idle. A block returned beyond
/// that is dropped for the garbage collector.
/// </summary>
/// <remarks>
/// Kestrel's pool allocates its blocks on the pinned object heap, which is never compacted, keeps every block it
/// handed out and, since .NET 10, gives idle ones back slowly (5 % every 10 s when idle, 1 % under a trickle of
/// health probes). After a burst of the largest reviews from 64 clients, a minute later it still held ~50 MB; bounding
/// the idle blocks alone was not enough, because the few kept blocks were scattered over the pinned heap's regions
/// and held them all (47 MB of the pinned heap's 56 MB was free space between them). Ordinary arrays are pinned only
/// while a socket operation uses them, and the kept ones are compacted together like any other object.
/// </remarks>
internal sealed class BoundedMemoryPool(int maxIdleBlocks) : MemoryPool<byte>
{
    public const int BlockSize = 4096;

    private readonly ConcurrentQueue<Block> idle = new();
    private int idleCount;
    private bool disposed;

    public int MaxIdleBlocks { get; } = maxIdleBlocks;

    public override int MaxBufferSize => BlockSize;

    /// <summary>Blocks kept for reuse now (diagnostics and tests).</summary>
    public int IdleBlocks => Volatile.Read(ref idleCount);

    /// <summary>Blocks allocated so far (none is allocated while an idle one is there to reuse).</summary>
    public long AllocatedBlocks => Interlocked.Read(ref allocated);

    private long allocated;

    public override IMemoryOwner<byte> Rent(int minBufferSize = -1)
    {
        ArgumentOutOfRangeException.ThrowIfGreaterThan(minBufferSize, BlockSize);
        ObjectDisposedException.ThrowIf(disposed, this);
        if (idle.TryDequeue(out var block))
        {
            Interlocked.Decrement(ref idleCount);
            block.Lease();
            return block;
        }

        Interlocked.Increment(ref allocated);
        return new Block(this);
    }

    protected override void Dispose(bool disposing)
    {
        disposed = true;
        while (idle.TryDequeue(out _))
        {
            Interlocked.Decrement(ref idleCount);
        }
    }

    private void Return(Block block)
    {
        // A block over the bound, or returned after the pool was disposed, is left to the garbage collector.
        if (disposed)
        {
            return;
        }

        if (Interlocked.Increment(ref idleCount) <= MaxIdleBlocks)
        {
            idle.Enqueue(block);
        }
        else
        {
            Interlocked.Decrement(ref idleCount);
        }
    }

    /// <summary>One block: an ordinary array, pinned by the socket only for the duration of an operation.</summary>
    private sealed class Block : IMemoryOwner<byte>
    {
        private readonly BoundedMemoryPool pool;
        private int leased;

        public Block(BoundedMemoryPool pool)
        {
            this.pool = pool;
            Memory = GC.AllocateUninitializedArray<byte>(BlockSize);
            leased = 1;
        }

        public Memory<byte> Memory { get; }

        public void Lease() => Volatile.Write(ref leased, 1);

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
    private readonly ConcurrentQueue<BoundedMemoryPool> pools = new();

    /// <summary>The pools made so far (one per listener and a few of Kestrel's own; diagnostics and tests).</summary>
    public IReadOnlyCollection<BoundedMemoryPool> Pools => pools;

    /// <summary>1 MB of idle blocks per pool: more than steady load keeps in flight, a fraction of what a burst leases.</summary>
    public const int DefaultMaxIdleBlocks = 256;

    public MemoryPool<byte> Create(MemoryPoolOptions? options = null)
    {
        var pool = new BoundedMemoryPool(DefaultMaxIdleBlocks);
        pools.Enqueue(pool);
        return pool;
    }
}
