using System.Buffers;
using System.Collections.Concurrent;
using Microsoft.AspNetCore.Connections;

namespace StatefulGuard.Serve;

/// <summary>
/// The memory pool Kestrel's connections take their buffers from (registered as the <see cref="IMemoryPoolFactory{T}"/>
/// the socket transport asks the service container for): 4 KB blocks, as Kestrel's own pool, but ordinary arrays that
/// the garbage collector may move. Every returned block is kept while the load needs it; <see cref="Trim"/> (every
/// 10 s, from <see cref="NativeHeapTrimmer"/>) drops the idle ones beyond <see cref="MinIdleBlocks"/> or twice what is
/// leased at that moment, whichever is more, for the collector.
/// </summary>
/// <remarks>
/// Kestrel's pool allocates its blocks on the pinned object heap, which is never compacted, keeps every block it
/// handed out and, since .NET 10, gives idle ones back slowly (5 % every 10 s when idle, 1 % under a trickle of
/// health probes): after a burst of the largest reviews from 64 clients it still held ~50 MB a minute later. Bounding
/// the idle pinned blocks was not enough: the few kept were scattered over the pinned heap's regions and held them
/// all (47 MB of its 56 MB was free space between them). Ordinary arrays are pinned only while a socket operation uses
/// them, and the kept ones are compacted together like any other object. A fixed bound on the idle blocks, checked at
/// every return, dropped and re-allocated blocks under steady load whenever more were in flight than the bound.
/// </remarks>
internal sealed class BoundedMemoryPool(int minIdleBlocks) : MemoryPool<byte>
{
    public const int BlockSize = 4096;

    private readonly ConcurrentQueue<Block> idle = new();
    private int leased;
    private long allocated;
    private bool disposed;

    public int MinIdleBlocks { get; } = minIdleBlocks;

    public override int MaxBufferSize => BlockSize;

    /// <summary>Blocks kept for reuse now (diagnostics and tests).</summary>
    public int IdleBlocks => idle.Count;

    /// <summary>Blocks rented and not yet returned.</summary>
    public int LeasedBlocks => Volatile.Read(ref leased);

    /// <summary>Blocks allocated so far (none is allocated while an idle one is there to reuse).</summary>
    public long AllocatedBlocks => Interlocked.Read(ref allocated);

    public override IMemoryOwner<byte> Rent(int minBufferSize = -1)
    {
        ArgumentOutOfRangeException.ThrowIfGreaterThan(minBufferSize, BlockSize);
        ObjectDisposedException.ThrowIf(disposed, this);
        Interlocked.Increment(ref leased);
        if (idle.TryDequeue(out var block))
        {
            return block.Lease();
        }

        Interlocked.Increment(ref allocated);
        return new Block(this);
    }

    /// <summary>Drops the idle blocks beyond what the load may soon need again; returns how many were dropped.</summary>
    public int Trim()
    {
        var keep = Math.Max(MinIdleBlocks, 2 * LeasedBlocks);
        var dropped = 0;
        while (idle.Count > keep && idle.TryDequeue(out _))
        {
            dropped++;
        }

        return dropped;
    }

    protected override void Dispose(bool disposing)
    {
        disposed = true;
        idle.Clear();
    }

    private void Return(Block block)
    {
        Interlocked.Decrement(ref leased);

        // Returned after the pool was disposed: left to the garbage collector.
        if (!disposed)
        {
            idle.Enqueue(block);
        }
    }

    /// <summary>One block: an ordinary array, pinned by a socket only for the duration of an operation.</summary>
    private sealed class Block(BoundedMemoryPool pool) : IMemoryOwner<byte>
    {
        private int isLeased = 1;

        public Memory<byte> Memory { get; } = GC.AllocateUninitializedArray<byte>(BlockSize);

        public Block Lease()
        {
            Volatile.Write(ref isLeased, 1);
            return this;
        }

        public void Dispose()
        {
            // Returned once, however many times it is disposed.
            if (Interlocked.Exchange(ref isLeased, 0) == 1)
            {
                pool.Return(this);
            }
        }
    }
}
