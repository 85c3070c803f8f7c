using System.Buffers;
using System.Collections.Concurrent;
using Microsoft.AspNetCore.Connections;

namespace StatefulGuard.Serve;

/// <summary>Makes every pool Kestrel asks for a <see cref="BoundedMemoryPool"/>, and trims them all.</summary>
internal sealed class BoundedMemoryPoolFactory : IMemoryPoolFactory<byte>
{
    /// <summary>1 MB of idle blocks per pool kept however quiet it is.</summary>
    public const int DefaultMinIdleBlocks = 256;

    private readonly ConcurrentQueue<BoundedMemoryPool> pools = new();

    /// <summary>The pools made so far (one per listener and a few of Kestrel's own; diagnostics and tests).</summary>
    public IReadOnlyCollection<BoundedMemoryPool> Pools => pools;

    public MemoryPool<byte> Create(MemoryPoolOptions? options = null)
    {
        var pool = new BoundedMemoryPool(DefaultMinIdleBlocks);
        pools.Enqueue(pool);
        return pool;
    }

    /// <summary>Trims every pool (<see cref="BoundedMemoryPool.Trim"/>); returns how many blocks were dropped.</summary>
    public int Trim() => pools.Sum(p => p.Trim());
}
